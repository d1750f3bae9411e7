//! Invitations: how a role in a partnership is offered through the pages and the API.
//!
//! An administrator offers a role to an email address; the person with that address accepts
//! it after signing in (or declines it). Nobody is attached to a partnership without knowing,
//! nobody can invite themselves, and the administrator's answer is the same whether or not an
//! account with that address exists, so the form cannot be used to find out who has one.

use crate::audit::{event, Subject};
use crate::identity::SessionView;
use crate::{now_ms, App, RequestContext, ServiceError};
use preventkit_domain::actions::AdministrationAction;
use preventkit_domain::administration::{self as stored, InvitationListing, Membership};
use preventkit_domain::audit::Outcome;
use preventkit_domain::validate::{self, ValidationErrors};
use preventkit_domain::{
    policy, Denial, Grant, InvitationId, MembershipId, PartnershipId, Permission, Role, Timestamp,
    UserId,
};
use preventkit_storage::{self as store, StorageError};

/// How long an invitation stays open.
pub const INVITATION_DAYS: i64 = 14;

/// What an administrator types to invite someone.
#[derive(Clone, Debug, Default)]
pub struct NewInvitation {
    pub email: String,
    pub role: String,
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InvitationStatus {
    Open,
    Accepted,
    Declined,
    Expired,
}

impl InvitationStatus {
    pub fn label(self) -> &'static str {
        match self {
            InvitationStatus::Open => "Waiting for an answer",
            InvitationStatus::Accepted => "Accepted",
            InvitationStatus::Declined => "Declined",
            InvitationStatus::Expired => "Expired",
        }
    }
}

/// An invitation as a page or the API shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Invitation {
    pub id: InvitationId,
    pub partnership_id: PartnershipId,
    pub partnership_name: String,
    pub email: String,
    pub role: Role,
    pub invited_by: UserId,
    pub invited_by_name: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub status: InvitationStatus,
    /// When it was accepted or declined.
    pub answered_at: Option<i64>,
    pub membership_id: Option<MembershipId>,
}

impl Invitation {
    fn from_listing(row: InvitationListing, now: Timestamp) -> Self {
        let r = row.invitation;
        let status = match (r.accepted_at, r.declined_at) {
            (Some(_), _) => InvitationStatus::Accepted,
            (None, Some(_)) => InvitationStatus::Declined,
            (None, None) if r.expires_at <= now => InvitationStatus::Expired,
            (None, None) => InvitationStatus::Open,
        };
        Invitation {
            id: r.id,
            partnership_id: r.partnership_id,
            partnership_name: row.partnership_name,
            email: r.email,
            role: r.role,
            invited_by: r.invited_by,
            invited_by_name: row.inviter_name,
            created_at: r.created_at.millis(),
            expires_at: r.expires_at.millis(),
            status,
            answered_at: r.accepted_at.or(r.declined_at).map(Timestamp::millis),
            membership_id: r.membership_id,
        }
    }
}

/// One of the signed-in person's own roles, with who gave it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OwnRole {
    pub membership_id: MembershipId,
    pub partnership_id: PartnershipId,
    pub partnership_name: String,
    pub role: Role,
    /// When the role was given (or last changed).
    pub granted_at: i64,
    /// Who invited, when the role came from an invitation and has not changed since; `None`
    /// when the service's operator set it up or an administrator changed it.
    pub invited_by_name: Option<String>,
}

fn to_invitations(rows: Vec<InvitationListing>, now: Timestamp) -> Vec<Invitation> {
    rows.into_iter()
        .map(|r| Invitation::from_listing(r, now))
        .collect()
}

impl App {
    /// Offer a role in the grant's partnership to an email address. The answer does not say
    /// whether an account with that address exists. Inviting oneself is refused (and
    /// recorded): nobody grants themselves anything.
    pub async fn invite_member(
        &self,
        grant: &Grant,
        input: &NewInvitation,
        ctx: &RequestContext,
    ) -> Result<InvitationId, ServiceError> {
        let pid = grant.require_partnership(Permission::MembershipManage)?;
        let mut errors = ValidationErrors::new();
        let email = validate::email("email", &input.email, &mut errors);
        let role = Role::from_key(input.role.trim());
        if role.is_none() {
            errors.add("role", "Choose a role");
        }
        errors.into_result()?;
        let role = role.ok_or_else(|| ServiceError::Internal("validated".into()))?;
        let now = Timestamp::from_millis(now_ms());
        let id = InvitationId::new();
        let mut tx = self.db().write().await?;
        // Inviting one's own address is a self-grant. Only the inviter's own address is
        // compared, so this says nothing about anyone else's account.
        let own = store::identity::users::get(&mut tx, &grant.user_id().to_string()).await?;
        if own.is_some_and(|u| u.email == email) {
            tx.rollback().await?;
            let subject = Subject::Partnership(pid.to_string());
            return Err(self
                .refuse(
                    grant.user_id(),
                    ctx,
                    AdministrationAction::InvitationCreated,
                    subject,
                    Denial::SelfGrant,
                )
                .await);
        }
        store::administration::invitations::insert(
            &mut tx,
            &stored::Invitation {
                id,
                partnership_id: pid,
                email,
                role,
                invited_by: grant.user_id(),
                created_at: now,
                expires_at: Timestamp::from_millis(
                    now.millis() + INVITATION_DAYS * 24 * 60 * 60 * 1000,
                ),
                accepted_at: None,
                declined_at: None,
                membership_id: None,
            },
        )
        .await?;
        event(
            &mut tx,
            Some(grant.user_id()),
            ctx,
            AdministrationAction::InvitationCreated,
            Subject::Invitation {
                id: id.to_string(),
                partnership: pid.to_string(),
            },
            Outcome::Success,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The partnership's invitations, newest first: what its administrators see of every role
    /// offered and given.
    pub async fn partnership_invitations(
        &self,
        grant: &Grant,
    ) -> Result<Vec<Invitation>, ServiceError> {
        let pid = grant
            .require_partnership(Permission::MembershipRead)
            .or_else(|_| grant.require_partnership(Permission::MembershipManage))?;
        let mut tx = self.db().read().await?;
        let rows = store::administration::invitations::of_partnership(&mut tx, pid, 200).await?;
        tx.commit().await?;
        Ok(to_invitations(rows, Timestamp::from_millis(now_ms())))
    }

    /// The signed-in person's open invitations.
    pub async fn my_invitations(
        &self,
        session: &SessionView,
    ) -> Result<Vec<Invitation>, ServiceError> {
        let now = Timestamp::from_millis(now_ms());
        let mut tx = self.db().read().await?;
        let rows =
            store::administration::invitations::open_for_email(&mut tx, &session.user.email, now)
                .await?;
        tx.commit().await?;
        Ok(to_invitations(rows, now))
    }

    /// The signed-in person's roles, each with who gave it.
    pub async fn my_roles(&self, session: &SessionView) -> Result<Vec<OwnRole>, ServiceError> {
        let user = session.user.id;
        let mut tx = self.db().read().await?;
        let memberships = store::administration::memberships::for_user(&mut tx, user).await?;
        let ids: Vec<MembershipId> = memberships.iter().map(|m| m.id).collect();
        let mut partnership_ids: Vec<PartnershipId> =
            memberships.iter().map(|m| m.partnership_id).collect();
        partnership_ids.sort();
        partnership_ids.dedup();
        let invitations =
            store::administration::invitations::accepted_by_membership(&mut tx, &ids).await?;
        let partnerships =
            store::administration::partnerships::list_by_ids(&mut tx, &partnership_ids).await?;
        tx.commit().await?;
        Ok(memberships
            .into_iter()
            .map(|m: Membership| {
                OwnRole {
                    membership_id: m.id,
                    partnership_id: m.partnership_id,
                    partnership_name: partnerships
                        .iter()
                        .find(|p| p.id == m.partnership_id)
                        .map(|p| p.name.clone())
                        .unwrap_or_default(),
                    role: m.role,
                    granted_at: m.created_at.millis(),
                    invited_by_name: invitations
                        .iter()
                        // The inviter gave this role only if it has not changed since it
                        // was accepted (a change is a new grant, at a new time).
                        .find(|i| {
                            i.invitation.membership_id == Some(m.id)
                                && i.invitation.accepted_at == Some(m.created_at)
                        })
                        .map(|i| i.inviter_name.clone()),
                }
            })
            .collect())
    }

    /// Accept (`true`) or decline one of the signed-in person's open invitations. Accepting
    /// gives the role; the audit log records who invited and who accepted.
    pub async fn answer_invitation(
        &self,
        session: &SessionView,
        invitation: InvitationId,
        accept: bool,
        ctx: &RequestContext,
    ) -> Result<(), ServiceError> {
        let now = Timestamp::from_millis(now_ms());
        let me = session.user.id;
        let mut tx = self.db().write().await?;
        let Some(inv) = store::administration::invitations::get_for_email(
            &mut tx,
            invitation,
            &session.user.email,
        )
        .await?
        else {
            return Err(ServiceError::NotFound);
        };
        let subject = Subject::Invitation {
            id: inv.id.to_string(),
            partnership: inv.partnership_id.to_string(),
        };
        let inviter: UserId = inv.invited_by;
        if let Err(d) = policy::may_change_membership_of(Some(inviter), me) {
            tx.rollback().await?;
            return Err(self
                .refuse(
                    me,
                    ctx,
                    AdministrationAction::InvitationAccepted,
                    subject,
                    d,
                )
                .await);
        }
        let membership = MembershipId::new();
        let closed = store::administration::invitations::close(
            &mut tx,
            inv.id,
            now,
            accept.then_some(membership),
        )
        .await?;
        if !closed {
            tx.rollback().await?;
            return Err(ServiceError::Conflict(
                "This invitation has already been answered or has expired".into(),
            ));
        }
        if accept {
            let inserted = store::administration::memberships::insert(
                &mut tx,
                &Membership {
                    id: membership,
                    partnership_id: inv.partnership_id,
                    user_id: me,
                    role: inv.role,
                    created_at: now,
                },
            )
            .await;
            match inserted {
                Ok(()) => {}
                Err(StorageError::Conflict) => {
                    tx.rollback().await?;
                    return Err(ServiceError::Conflict(
                        "You already have this role in this partnership".into(),
                    ));
                }
                Err(e) => return Err(e.into()),
            }
            event(
                &mut tx,
                Some(me),
                ctx,
                AdministrationAction::MembershipCreated,
                Subject::Membership {
                    id: membership.to_string(),
                    partnership: inv.partnership_id.to_string(),
                },
                Outcome::Success,
            )
            .await?;
        }
        let action = if accept {
            AdministrationAction::InvitationAccepted
        } else {
            AdministrationAction::InvitationDeclined
        };
        event(&mut tx, Some(me), ctx, action, subject, Outcome::Success).await?;
        tx.commit().await?;
        Ok(())
    }
}
