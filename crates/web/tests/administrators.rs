//! A partnership always keeps an administrator, even when its last two remove each other at
//! the same moment: the count and the removal are decided under the partnership's lock.

// Test code: a failed unwrap, expect, panic or index is the test failing, as it should be.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use preventkit_services::administration::NewMember;
use preventkit_services::domain::policy::decide;
use preventkit_services::domain::{Actor, Permission, Role, Scope};
use preventkit_services::{Grant, RequestContext, ServiceError};
use preventkit_testkit::{each_engine, Engine, Server};

const ROUNDS: usize = 12;

async fn administrators(s: &Server, g: &Grant) -> Vec<preventkit_services::domain::MembershipId> {
    s.app
        .list_members(g)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.role == Role::Administrator)
        .map(|m| m.id)
        .collect()
}

#[each_engine]
async fn two_administrators_removed_at_once_leave_one(engine: Engine) {
    let e = engine.name();
    let s = Server::start(&engine).await;
    let pid = s.partnership_id("Riverton Prevent Partnership").await;
    let manage = decide(
        &Actor::console(),
        Permission::MembershipManage,
        Scope::Partnership(pid.parse().unwrap()),
    )
    .unwrap();
    let ctx = RequestContext::default();
    for round in 0..ROUNDS {
        // Make sure there are exactly two administrators.
        for email in ["admin@riverton.example", "lead@riverton.example"] {
            let r = s
                .app
                .add_member(
                    &manage,
                    &NewMember {
                        email: email.into(),
                        role: "administrator".into(),
                        ..Default::default()
                    },
                    &ctx,
                )
                .await;
            assert!(
                r.is_ok()
                    || matches!(
                        r,
                        Err(ServiceError::Validation(_) | ServiceError::Conflict(_))
                    ),
                "[{e}] {r:?}"
            );
        }
        let admins = administrators(&s, &manage).await;
        assert_eq!(
            admins.len(),
            2,
            "[{e}] round {round}: two administrators to start"
        );
        let (a, b) = tokio::join!(
            s.app.remove_member(&manage, admins[0], &ctx),
            s.app.remove_member(&manage, admins[1], &ctx)
        );
        let left = administrators(&s, &manage).await;
        assert_eq!(
            left.len(),
            1,
            "[{e}] round {round}: one administrator is always kept ({a:?}, {b:?})"
        );
        let refused = [&a, &b]
            .iter()
            .filter(|r| matches!(r, Err(ServiceError::Conflict(_))))
            .count();
        assert_eq!(
            refused, 1,
            "[{e}] round {round}: exactly one removal is refused ({a:?}, {b:?})"
        );
    }
}
