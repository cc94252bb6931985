use super::{
    action::{Action, Scope},
    policy::{Policy, Target},
    principal::{Credential, Principal},
    visibility::Visibility,
};
use crate::model::catalog::{entity_ref::EntityRef, filter::EntityQuery, predicate::Predicate};

fn r(text: &str) -> EntityRef {
    EntityRef::parse_full(text).unwrap()
}

fn member(user: &str, groups: &[&str]) -> Principal {
    Principal::new(
        r(user),
        groups.iter().map(|g| r(g)).collect(),
        false,
        Credential::Session,
    )
}

fn owned_by(entity: &str, owner: &str) -> Target {
    Target {
        entity: Some(r(entity)),
        owners: vec![r(owner)],
        tags: vec!["java".into()],
        label: entity.to_owned(),
    }
}

fn policy(json: &str) -> Result<Policy, String> {
    serde_json::from_str(json).map_err(|e| e.to_string())
}

#[test]
fn by_default_everyone_reads_owners_manage_and_admins_do_everything() {
    let policy = Policy::default();
    let checkout = owned_by("component:default/checkout", "group:default/payments");
    let guest = Principal::guest(false);
    let alice = member("user:default/alice", &["group:default/payments"]);
    let bob = member("user:default/bob", &["group:default/search"]);
    let admin = Principal::new(r("user:default/root"), vec![], true, Credential::Session);

    for who in [&guest, &alice, &bob, &admin] {
        assert_eq!(policy.decide(who, Action::EntityRead, &checkout), Ok(()));
    }
    assert_eq!(
        policy.decide(&alice, Action::EntityDelete, &checkout),
        Ok(())
    );
    assert_eq!(
        policy.decide(&admin, Action::EntityDelete, &checkout),
        Ok(())
    );
    assert_eq!(
        policy.decide(&admin, Action::AuditRead, &Target::default()),
        Ok(())
    );

    let refusal = policy
        .decide(&bob, Action::EntityDelete, &checkout)
        .unwrap_err();
    assert_eq!(
        refusal.message,
        "only admins or owners of component:default/checkout may delete it"
    );
    assert!(!refusal.unauthenticated);

    assert_eq!(policy.decide(&alice, Action::EmbedSign, &checkout), Ok(()));
    assert!(policy.decide(&bob, Action::EmbedSign, &checkout).is_err());

    let template = owned_by("template:default/new-service", "group:default/platform");
    assert_eq!(policy.decide(&bob, Action::TemplateRun, &template), Ok(()));
    let refusal = policy
        .decide(&guest, Action::TemplateRun, &template)
        .unwrap_err();
    assert_eq!(
        refusal.message,
        "sign in to run template:default/new-service"
    );
    assert!(refusal.unauthenticated);

    let log = Target {
        label: "the audit log".into(),
        ..Target::default()
    };
    let refusal = policy.decide(&bob, Action::AuditRead, &log).unwrap_err();
    assert_eq!(refusal.message, "only admins may read the audit log");
}

#[test]
fn guests_do_not_own_what_guests_made() {
    let task = owned_by("template:default/new-service", "user:default/guest");
    let refusal = Policy::default()
        .decide(&Principal::guest(false), Action::TaskCancel, &task)
        .unwrap_err();
    assert!(refusal.unauthenticated);
}

#[test]
fn the_local_guest_is_an_admin() {
    let target = owned_by("component:default/checkout", "group:default/payments");
    assert_eq!(
        Policy::default().decide(&Principal::guest(true), Action::EntityDelete, &target),
        Ok(())
    );
}

#[test]
fn ownership_is_transitive_through_the_groups_given() {
    let carol = member(
        "user:default/carol",
        &["group:default/payments-backend", "group:default/payments"],
    );
    assert!(carol.owns_as(&r("group:default/payments")));
    assert!(carol.owns_as(&r("user:default/carol")));
    assert!(!carol.owns_as(&r("group:default/search")));
}

#[test]
fn a_token_is_limited_by_its_scopes_even_where_its_owner_may() {
    let policy = Policy::default();
    let checkout = owned_by("component:default/checkout", "group:default/payments");
    let token = |scopes: Vec<Scope>| {
        Principal::new(
            r("user:default/alice"),
            vec![r("group:default/payments")],
            false,
            Credential::Token {
                id: "t1".into(),
                name: "ci".into(),
                scopes,
            },
        )
    };
    let read = token(vec![Scope::Read]);
    assert_eq!(policy.decide(&read, Action::EntityRead, &checkout), Ok(()));
    let refusal = policy
        .decide(&read, Action::EntityDelete, &checkout)
        .unwrap_err();
    assert_eq!(
        refusal.message,
        "this token may not delete component:default/checkout: its scopes do not include catalog:write"
    );
    let write = token(vec![Scope::Read, Scope::CatalogWrite]);
    assert_eq!(
        policy.decide(&write, Action::EntityDelete, &checkout),
        Ok(())
    );
    assert!(policy
        .decide(&write, Action::TemplateRun, &checkout)
        .is_err());
    assert_eq!(
        policy.decide(&token(vec![Scope::Admin]), Action::TemplateRun, &checkout),
        Ok(())
    );
}

#[test]
fn the_first_matching_rule_decides_and_a_deny_says_its_reason() {
    let policy = policy(
        r#"[
        {"effect": "deny", "actions": ["catalog.entity.delete"],
         "when": {"kinds": ["group", "user"]}, "reason": "people and teams come from the HR sync"},
        {"effect": "allow", "actions": ["catalog.*"], "when": {"groups": ["platform"]}},
        {"effect": "allow", "actions": ["catalog.entity.read"]}
    ]"#,
    )
    .unwrap();
    let platform = member("user:default/dana", &["group:default/platform"]);
    let other = member("user:default/eve", &[]);
    let team = owned_by("group:default/search", "group:default/platform");
    let service = owned_by("component:default/checkout", "group:default/payments");

    let refusal = policy
        .decide(&platform, Action::EntityDelete, &team)
        .unwrap_err();
    assert_eq!(refusal.message, "people and teams come from the HR sync");
    assert_eq!(
        policy.decide(&platform, Action::EntityDelete, &service),
        Ok(())
    );
    assert_eq!(
        policy.decide(&platform, Action::LocationCreate, &service),
        Ok(())
    );
    assert_eq!(
        policy
            .decide(&other, Action::EntityDelete, &service)
            .unwrap_err()
            .message,
        "only members of group:default/platform may delete component:default/checkout"
    );
    assert_eq!(
        policy
            .decide(&platform, Action::TemplateRun, &service)
            .unwrap_err()
            .message,
        "no rule of the policy allows scaffolder.template.run"
    );
}

#[test]
fn conditions_on_tags_kinds_and_namespaces_compare_without_case() {
    let policy = policy(
        r#"[{"effect": "allow", "actions": ["scaffolder.template.run"],
             "when": {"tags": ["Java"], "kinds": ["Template"], "namespaces": ["DEFAULT"]}}]"#,
    )
    .unwrap();
    let who = member("user:default/alice", &[]);
    let java = owned_by("template:default/spring", "group:default/platform");
    assert_eq!(policy.decide(&who, Action::TemplateRun, &java), Ok(()));
    let other = Target {
        tags: vec!["go".into()],
        ..java
    };
    assert!(policy.decide(&who, Action::TemplateRun, &other).is_err());
}

#[test]
fn bad_rules_are_refused_with_the_name_at_fault() {
    let message =
        policy(r#"[{"effect": "allow", "actions": ["catalog.entty.delete"]}]"#).unwrap_err();
    assert!(
        message.contains(
            "unknown action 'catalog.entty.delete', expected one of: catalog.entity.read,"
        ),
        "{message}"
    );
    assert!(policy(r#"[{"effect": "allow", "actions": ["catalog.entity"]}]"#).is_err());
    assert!(policy(r#"[{"effect": "maybe", "actions": ["*"]}]"#).is_err());
    let message =
        policy(r#"[{"effect": "allow", "actions": ["*"], "when": {"owners": true}}]"#).unwrap_err();
    assert!(message.contains("unknown field `owners`"), "{message}");
    let message =
        policy(r#"[{"effect": "allow", "actions": ["*"], "when": {"scopes": ["write"]}}]"#)
            .unwrap_err();
    assert!(message.contains("unknown scope 'write'"), "{message}");
    let message =
        policy(r#"[{"effect": "allow", "actions": ["*"], "when": {"groups": ["a/b/c"]}}]"#)
            .unwrap_err();
    assert!(message.contains("'a/b/c'"), "{message}");
}

#[test]
fn visibility_agrees_with_decide_for_every_entity_and_person() {
    let policy = policy(
        r#"[
        {"effect": "allow", "actions": ["*"], "when": {"admin": true}},
        {"effect": "deny", "actions": ["catalog.entity.read"], "when": {"tags": ["secret"], "owner": false}},
        {"effect": "allow", "actions": ["catalog.entity.read"], "when": {"kinds": ["group", "user"]}},
        {"effect": "deny", "actions": ["catalog.entity.read"], "when": {"signed_in": false, "namespaces": ["internal"]}},
        {"effect": "allow", "actions": ["catalog.entity.read"], "when": {"signed_in": true}},
        {"effect": "allow", "actions": ["catalog.entity.read"], "when": {"kinds": ["component", "api"]}}
    ]"#,
    )
    .unwrap();
    let people = [
        Principal::guest(false),
        member("user:default/alice", &["group:default/payments"]),
        member("user:default/bob", &["group:default/search"]),
        Principal::new(r("user:default/root"), vec![], true, Credential::Session),
        Principal::new(
            r("user:default/alice"),
            vec![r("group:default/payments")],
            false,
            Credential::Token {
                id: "t2".into(),
                name: "deploys".into(),
                scopes: vec![Scope::TemplatesRun],
            },
        ),
    ];
    let mut targets = Vec::new();
    for entity in [
        "component:default/checkout",
        "component:internal/ledger",
        "api:default/orders",
        "group:default/payments",
        "system:default/shop",
        "user:internal/eve",
    ] {
        for owner in ["group:default/payments", "group:default/search"] {
            for tags in [vec![], vec!["Secret".to_owned()], vec!["java".to_owned()]] {
                targets.push(Target {
                    entity: Some(r(entity)),
                    owners: vec![r(owner)],
                    tags,
                    label: entity.to_owned(),
                });
            }
        }
    }
    for who in &people {
        let visibility = policy.visibility(who, Action::EntityRead);
        for target in &targets {
            assert_eq!(
                visibility.sees(target),
                policy.decide(who, Action::EntityRead, target).is_ok(),
                "{} reading {} owned by {:?} tagged {:?}: {visibility:?}",
                who.user,
                target.label,
                target.owners,
                target.tags
            );
        }
    }
    // The token without `read` sees nothing, and says why.
    let token = policy.visibility(&people[4], Action::EntityRead);
    assert!(
        token.refusal().unwrap().message.contains("scopes"),
        "{token:?}"
    );
}

#[test]
fn visibility_adds_nothing_when_everything_may_be_read() {
    let default = Policy::default();
    for who in [
        Principal::guest(false),
        member("user:default/alice", &["group:default/payments"]),
    ] {
        assert_eq!(
            default.visibility(&who, Action::EntityRead),
            Visibility::Everything
        );
    }
    let members_only = policy(
        r#"[{"effect": "allow", "actions": ["catalog.entity.read"], "when": {"signed_in": true}}]"#,
    )
    .unwrap();
    let guest = members_only.visibility(&Principal::guest(false), Action::EntityRead);
    let refusal = guest.refusal().expect("guests read nothing");
    assert!(refusal.unauthenticated);
    assert!(refusal.message.contains("sign in"), "{}", refusal.message);
    let query = guest.restrict(EntityQuery::default());
    let nothing = Predicate::Any(vec![]);
    assert_eq!(query.predicate, Some(Predicate::All(vec![nothing])));
}

#[test]
fn action_and_scope_names_round_trip() {
    for action in Action::all() {
        assert_eq!(action.name().parse::<Action>(), Ok(action));
    }
    assert_eq!("templates:run".parse::<Scope>(), Ok(Scope::TemplatesRun));
    assert!(Scope::TemplatesRun.allows(Action::TaskCancel));
    assert!(!Scope::Read.allows(Action::TaskCancel));
}

#[test]
fn the_token_form_reads_its_lifetime_and_scopes() {
    use super::token::TokenRequest;
    let request = TokenRequest::from_form(" CI ", "90", vec![Scope::Read]).unwrap();
    assert_eq!(request.name, "CI");
    assert_eq!(request.expires_in_days, Some(90));
    assert_eq!(request.problem(), None);
    let forever = TokenRequest::from_form("CI", "never", vec![Scope::Admin]).unwrap();
    assert_eq!(forever.expires_in_days, None);
    assert!(TokenRequest::from_form("CI", "soon", vec![Scope::Read]).is_err());
    let unscoped = TokenRequest::from_form("CI", "30", Vec::new()).unwrap();
    assert!(unscoped.problem().unwrap().contains("at least one scope"));
}

#[test]
fn an_embed_link_reads_as_its_signer_and_does_nothing_else() {
    let policy = Policy::default();
    let checkout = owned_by("component:default/checkout", "group:default/payments");
    let admin = Principal {
        credential: Credential::EmbedLink { expires: 1 },
        ..Principal::new(r("user:default/root"), vec![], true, Credential::Session)
    };
    assert!(admin.signed_in() && admin.by_link());
    assert_eq!(admin.via(), "embed link");
    for read in [Action::EntityRead, Action::DocsRead] {
        assert_eq!(policy.decide(&admin, read, &checkout), Ok(()));
    }
    for write in [Action::EntityDelete, Action::EmbedSign, Action::AuditRead] {
        let refusal = policy.decide(&admin, write, &checkout).unwrap_err();
        assert!(
            refusal
                .message
                .starts_with("an embed link only shows a widget: it may not"),
            "{refusal}"
        );
    }
}

#[test]
fn a_missing_target_is_refused_to_whoever_could_act_on_no_target() {
    let missing = Target {
        label: "the entity with uid x".into(),
        ..Target::default()
    };
    let delete = |policy: &Policy, who: &Principal| {
        policy
            .decide_for_some(who, Action::EntityDelete, &missing)
            .map_err(|refusal| refusal.message)
    };
    let owners = Policy::default();
    let guest = Principal::guest(false);
    let alice = member("user:default/alice", &[]);
    assert_eq!(
        delete(&owners, &guest),
        Err("only admins or owners of the entity with uid x may delete it".into()),
        "the guest owns nothing"
    );
    assert_eq!(delete(&owners, &alice), Ok(()), "alice owns what she owns");
    assert_eq!(delete(&owners, &Principal::guest(true)), Ok(()));

    let rules = policy(
        r#"[
        {"effect": "deny", "actions": ["catalog.entity.delete"], "when": {"kinds": ["user"]}},
        {"effect": "deny", "actions": ["catalog.entity.delete"],
         "when": {"users": ["eve"]}, "reason": "eve may not delete"},
        {"effect": "allow", "actions": ["catalog.*"], "when": {"groups": ["platform"]}}
    ]"#,
    )
    .unwrap();
    let dana = member("user:default/dana", &["group:default/platform"]);
    let eve = member("user:default/eve", &["group:default/platform"]);
    assert_eq!(
        delete(&rules, &dana),
        Ok(()),
        "a deny about some targets leaves others"
    );
    assert_eq!(delete(&rules, &eve), Err("eve may not delete".into()));
    assert_eq!(
        delete(&rules, &alice),
        Err("only members of group:default/platform may delete the entity with uid x".into())
    );
}
