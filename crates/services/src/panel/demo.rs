//! The demonstration panel: the chair, a panel member from education and the case officer,
//! with next month's meeting and the case screened to the panel on its published agenda.

use crate::{App, RequestContext, ServiceError};
use preventkit_domain::dates::DateEntry;
use preventkit_domain::panel::MeetingInput;
use preventkit_domain::policy::decide;
use preventkit_domain::{PartnershipId, Permission, Role, Scope};

impl App {
    /// Make the demonstration partnership's panel and its next meeting.
    pub(crate) async fn demo_panel(
        &self,
        partnership: PartnershipId,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        let scope = Scope::Partnership(partnership);
        let chair = self
            .demo_actor("chair@riverton.example", partnership, Role::ChannelChair)
            .await?;
        let member = self
            .demo_actor("panel@riverton.example", partnership, Role::PanelMember)
            .await?;
        let officer = self
            .demo_actor(
                "caseofficer@riverton.example",
                partnership,
                Role::CaseOfficer,
            )
            .await?;
        let manage = decide(&chair, Permission::PanelManage, scope)?;
        for (who, sector) in [
            (&chair, "childrens-safeguarding"),
            (&member, "education"),
            (&officer, "other"),
        ] {
            self.add_panel_member(&manage, ctx, &who.user_id().to_string(), sector)
                .await?;
        }
        let on = self.suggested_meeting_date(&manage).await?;
        let meeting = self
            .create_meeting(
                &manage,
                ctx,
                &MeetingInput {
                    on: DateEntry::Iso(on.to_string()),
                    invitees: None,
                },
            )
            .await?;
        self.publish_agenda(&manage, ctx, meeting).await
    }
}
