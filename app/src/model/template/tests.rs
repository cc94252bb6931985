//! The form validator and field layout, keyword by keyword. These tests run twice: on the
//! server's build (`cargo test`) and compiled to wasm (`wasm-bindgen-test`, in Node),
//! because the browser runs the same code.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use serde_json::{json, Value};

use super::{
    form::{
        input_text, input_value, page_fields, parse_path, read_posted_page, review, set_value,
        Choice, FormField, Widget,
    },
    schema::{with_defaults, Schema},
    spec::Template,
    validate::validate,
};
use crate::model::catalog::entity::Entity;

fn schema(value: Value) -> Schema {
    value.as_object().expect("a schema object").clone()
}

/// `path: message` for every problem, the way a test reads best.
fn problems(schema_value: Value, data: Value) -> Vec<String> {
    validate(&schema(schema_value), &data)
        .into_iter()
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect()
}

fn one(property: Value, value: Value) -> Vec<String> {
    problems(json!({"properties": {"f": property}}), json!({"f": value}))
}

#[test]
fn type_keyword() {
    assert_eq!(
        one(json!({"type": "string"}), json!(3)),
        ["f: Enter text here."]
    );
    assert_eq!(
        one(json!({"type": "integer"}), json!(2.5)),
        ["f: Enter a whole number."]
    );
    assert!(one(json!({"type": "integer"}), json!(2.0)).is_empty());
    assert_eq!(
        one(json!({"type": "number"}), json!("x")),
        ["f: Enter a number."]
    );
    assert_eq!(
        one(json!({"type": "boolean"}), json!("yes")),
        ["f: Choose yes or no."]
    );
    assert_eq!(
        one(json!({"type": "array"}), json!({})),
        ["f: Must be a list."]
    );
    assert_eq!(
        one(json!({"type": "object"}), json!([1])),
        ["f: Must be a group of fields."]
    );
    assert!(one(json!({"type": ["string", "null"]}), json!(null)).is_empty());
}

#[test]
fn required_keyword() {
    let s = json!({
        "required": ["name", "tags", "ok"],
        "properties": {"name": {"type": "string"}, "tags": {"type": "array"}, "ok": {"type": "boolean"}}
    });
    assert_eq!(
        problems(s.clone(), json!({"name": ""})),
        [
            "name: Fill in this field.",
            "tags: Choose or add at least one.",
            "ok: Choose yes or no."
        ]
    );
    assert!(problems(s, json!({"name": "a", "tags": ["x"], "ok": false})).is_empty());
    // A nested object the user has not touched still asks for its required fields.
    let nested = json!({"properties": {"owner": {"type": "object", "required": ["displayName"], "properties": {"displayName": {"type": "string"}}}}});
    assert_eq!(
        problems(nested, json!({})),
        ["owner.displayName: Fill in this field."]
    );
}

#[test]
fn string_keywords() {
    assert_eq!(
        one(json!({"minLength": 3}), json!("ab")),
        ["f: Use at least 3 characters (now 2)."]
    );
    assert_eq!(
        one(json!({"maxLength": 1}), json!("ab")),
        ["f: Use at most 1 character (now 2)."]
    );
    assert!(one(json!({"minLength": 2}), json!("éé")).is_empty());
    assert_eq!(
        one(json!({"pattern": "^[a-z-]+$"}), json!("Bad Name")),
        ["f: Must match the pattern ^[a-z-]+$."]
    );
    assert!(one(json!({"pattern": "^[a-z-]+$"}), json!("good-name")).is_empty());
    assert!(
        one(json!({"pattern": "a+"}), json!("xaax")).is_empty(),
        "patterns search, unanchored"
    );
    assert_eq!(
        one(json!({"pattern": "(unclosed"}), json!("x")),
        ["f: The template's pattern (unclosed is not a valid regular expression; tell its owner."]
    );
}

#[test]
fn format_keyword() {
    let bad =
        |format: &str, value: &str| one(json!({"type": "string", "format": format}), json!(value));
    assert_eq!(
        bad("email", "ada"),
        ["f: Enter an email address, like name@example.com."]
    );
    assert!(bad("email", "ada@example.com").is_empty());
    assert_eq!(
        bad("uri", "example.com"),
        ["f: Enter a full URL, like https://example.com/path."]
    );
    assert!(bad("uri", "https://example.com/x?y=1").is_empty());
    assert_eq!(
        bad("date", "2026-02-30"),
        ["f: Enter a date as YYYY-MM-DD."]
    );
    assert!(bad("date", "2024-02-29").is_empty());
    assert!(bad("time", "09:30").is_empty());
    assert!(bad("time", "23:59:59.5+02:00").is_empty());
    assert_eq!(
        bad("time", "24:00"),
        ["f: Enter a time as HH:MM or HH:MM:SS."]
    );
    assert!(bad("date-time", "2026-11-24T07:30:00Z").is_empty());
    assert_eq!(
        bad("date-time", "2026-11-24"),
        ["f: Enter a date and time, like 2026-01-31T09:30:00Z."]
    );
    assert!(bad("uuid", "123e4567-e89b-12d3-a456-426614174000").is_empty());
    assert_eq!(bad("uuid", "123").len(), 1);
    assert!(bad("hostname", "api.example.com").is_empty());
    assert_eq!(bad("hostname", "bad_host").len(), 1);
    assert!(bad("ipv4", "10.0.0.1").is_empty());
    assert_eq!(bad("ipv4", "10.0.0.256").len(), 1);
    assert!(bad("ipv6", "fd00::1").is_empty());
    assert!(bad("color", "#00ff00").is_empty());
    assert!(bad("no-such-format", "anything").is_empty());
}

#[test]
fn number_keywords() {
    assert_eq!(
        one(json!({"type": "integer", "minimum": 1}), json!(0)),
        ["f: Must be at least 1."]
    );
    assert_eq!(
        one(json!({"type": "integer", "maximum": 10}), json!(11)),
        ["f: Must be at most 10."]
    );
    assert!(one(
        json!({"type": "number", "minimum": 0.5, "maximum": 1}),
        json!(0.75)
    )
    .is_empty());
    assert_eq!(
        one(json!({"exclusiveMinimum": 0}), json!(0)),
        ["f: Must be more than 0."]
    );
    assert_eq!(
        one(json!({"exclusiveMaximum": 5}), json!(5)),
        ["f: Must be less than 5."]
    );
    assert_eq!(
        one(json!({"multipleOf": 5}), json!(12)),
        ["f: Must be a multiple of 5."]
    );
    assert!(one(json!({"multipleOf": 0.1}), json!(0.3)).is_empty());
}

#[test]
fn enum_and_const_keywords() {
    assert_eq!(
        one(
            json!({"enum": ["a", "b"], "enumNames": ["Alpha", "Beta"]}),
            json!("c")
        ),
        ["f: Choose one of: Alpha, Beta."]
    );
    assert!(one(json!({"enum": [1, 2]}), json!(2)).is_empty());
    assert_eq!(
        one(json!({"const": "yes"}), json!("no")),
        ["f: Must be yes."]
    );
    assert!(one(json!({"const": true}), json!(true)).is_empty());
}

#[test]
fn array_keywords() {
    let features = json!({"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": true, "items": {"enum": ["a", "b", "c"]}});
    assert_eq!(
        one(features.clone(), json!(["a", "b", "c"])),
        ["f: Choose at most 2 options (now 3)."]
    );
    assert_eq!(
        one(features.clone(), json!(["a", "a"])),
        ["f: Item 2 repeats an earlier one; each must be different."]
    );
    assert_eq!(
        one(features, json!(["d"])),
        ["f[0]: Choose one of: a, b, c."]
    );
    let contacts = json!({"type": "array", "minItems": 2, "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}});
    assert_eq!(
        one(contacts, json!([{"name": "Ada"}])),
        ["f: Add at least 2 items (now 1)."]
    );
    let contacts = json!({"type": "array", "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}});
    assert_eq!(
        one(contacts, json!([{"name": "Ada"}, {}])),
        ["f[1].name: Fill in this field."]
    );
}

#[test]
fn default_keyword() {
    let s = schema(
        json!({"properties": {"replicas": {"type": "integer", "default": 3}, "env": {"enum": ["dev", "prod"], "default": "dev"}}}),
    );
    assert_eq!(
        with_defaults(&s, &json!({})),
        json!({"replicas": 3, "env": "dev"})
    );
    assert_eq!(
        with_defaults(&s, &json!({"replicas": 5})),
        json!({"replicas": 5, "env": "dev"})
    );
}

#[test]
fn dependencies_keyword() {
    let s = json!({
        "properties": {"database": {"type": "boolean"}, "engine": {"type": "string"}},
        "dependencies": {
            "database": {"oneOf": [
                {"properties": {"database": {"const": true}, "engine": {"enum": ["postgres", "mysql"]}}, "required": ["engine"]},
                {"properties": {"database": {"const": false}}}
            ]},
            "engine": ["database"]
        }
    });
    assert_eq!(
        problems(s.clone(), json!({"database": true})),
        ["engine: Fill in this field."]
    );
    assert_eq!(
        problems(s.clone(), json!({"database": true, "engine": "oracle"})),
        ["engine: Choose one of: postgres, mysql."]
    );
    assert!(problems(s.clone(), json!({"database": false})).is_empty());
    assert!(problems(s, json!({"database": true, "engine": "mysql"})).is_empty());
}

#[test]
fn if_then_else_keywords() {
    let s = json!({
        "properties": {"kind": {"enum": ["public", "internal"]}, "domain": {"type": "string"}},
        "if": {"properties": {"kind": {"const": "public"}}, "required": ["kind"]},
        "then": {"required": ["domain"], "properties": {"domain": {"format": "hostname"}}},
        "else": {"properties": {"domain": {"maxLength": 0}}}
    });
    assert_eq!(
        problems(s.clone(), json!({"kind": "public"})),
        ["domain: Fill in this field."]
    );
    assert_eq!(
        problems(s.clone(), json!({"kind": "public", "domain": "bad_host"})),
        ["domain: Enter a host name, like api.example.com."]
    );
    assert_eq!(
        problems(s, json!({"kind": "internal", "domain": "x"})),
        ["domain: Use at most 0 characters (now 1)."]
    );
}

#[test]
fn one_of_any_of_all_of_not_keywords() {
    let consent = json!({"type": "boolean", "oneOf": [{"const": true, "title": "I agree"}, {"const": false, "title": "I disagree"}]});
    assert!(one(consent.clone(), json!(true)).is_empty());
    let size =
        json!({"oneOf": [{"type": "integer", "maximum": 10}, {"type": "integer", "minimum": 5}]});
    assert_eq!(
        one(size.clone(), json!(7)),
        ["f: Matches more than one of the allowed forms; it must match exactly one."]
    );
    assert!(one(size.clone(), json!(2)).is_empty());
    assert_eq!(
        one(
            json!({"oneOf": [{"const": "a"}, {"const": "b"}]}),
            json!("c")
        ),
        ["f: Choose one of: a, b."]
    );
    assert_eq!(
        one(
            json!({"anyOf": [{"minLength": 5}, {"pattern": "^x"}]}),
            json!("abc")
        ),
        ["f: Does not match any of the allowed forms."]
    );
    assert!(one(
        json!({"anyOf": [{"minLength": 5}, {"pattern": "^x"}]}),
        json!("xbc")
    )
    .is_empty());
    let all = json!({"properties": {"name": {"type": "string"}}, "allOf": [{"required": ["name"]}, {"properties": {"name": {"minLength": 2}}}]});
    assert_eq!(
        problems(all.clone(), json!({})),
        ["name: Fill in this field."]
    );
    assert_eq!(
        problems(all, json!({"name": "a"})),
        ["name: Use at least 2 characters (now 1)."]
    );
    assert_eq!(
        one(json!({"not": {"const": "admin"}}), json!("admin")),
        ["f: This value is not allowed here."]
    );
}

#[test]
fn field_extensions_check_their_values() {
    assert_eq!(
        one(
            json!({"type": "string", "ui:field": "EntityNamePicker"}),
            json!("-bad")
        ),
        ["f: A name must start and end with a letter or digit."]
    );
    let owner = json!({"type": "string", "ui:field": "OwnerPicker", "ui:options": {"catalogFilter": {"kind": ["Group"]}}});
    assert!(
        one(owner.clone(), json!("team-a")).is_empty(),
        "a bare name means a group"
    );
    assert!(one(owner.clone(), json!("group:default/team-a")).is_empty());
    assert_eq!(
        one(owner, json!("user:ada")),
        ["f: Choose an entity of kind Group (this is a user)."]
    );
    let system = json!({"type": "string", "ui:field": "EntityPicker", "ui:options": {"allowedKinds": ["System", "Domain"]}});
    assert_eq!(
        one(system, json!("payments")),
        ["f: 'payments' needs a kind here, for example 'component:payments'."]
    );
    let many = json!({"type": "array", "ui:field": "MultiEntityPicker", "ui:options": {"catalogFilter": {"kind": "Component"}}});
    assert_eq!(
        one(many, json!(["a", "api:b"])),
        ["f: Entity 2: Choose an entity of kind Component (this is a api)."]
    );
    assert_eq!(
        one(json!({"type": "array", "ui:field": "EntityTagsPicker"}), json!(["rust", "Bad Tag"])),
        ["f: The tag 'Bad Tag' may only contain lower-case letters, digits, ':', '+', '#' and '-' (found 'B')."]
    );
    let repo = json!({"type": "string", "ui:field": "RepoUrlPicker", "ui:options": {"allowedHosts": ["git.example.com"]}});
    assert!(one(repo.clone(), json!("git.example.com?owner=acme&repo=pay")).is_empty());
    assert_eq!(
        one(repo.clone(), json!("github.com?owner=acme&repo=pay")),
        ["f: Choose one of the allowed hosts: git.example.com."]
    );
    assert_eq!(
        one(repo, json!("git.example.com?owner=acme")),
        ["f: Enter the repository's name."]
    );
}

fn widgets(schema_value: Value, data: Value) -> Vec<(String, Widget)> {
    page_fields(&schema(schema_value), &data)
        .into_iter()
        .map(|f| (f.path.to_string(), f.widget))
        .collect()
}

#[test]
fn widgets_follow_types_and_ui_keys() {
    let fields = widgets(
        json!({"properties": {
            "a": {"type": "string"},
            "b": {"type": "string", "ui:widget": "textarea", "ui:options": {"rows": 3}},
            "c": {"type": "string", "ui:widget": "password"},
            "d": {"type": "string", "enum": ["x", "y"], "ui:widget": "radio"},
            "e": {"type": "string", "enum": ["x", "y"], "enumNames": ["Ex", "Why"]},
            "f": {"type": "array", "items": {"enum": ["x", "y"]}, "ui:widget": "checkboxes"},
            "g": {"type": "array", "items": {"enum": ["x"]}, "ui:widget": "select"},
            "h": {"type": "string", "ui:widget": "hidden", "default": "v"},
            "i": {"type": "boolean"},
            "j": {"type": "integer", "minimum": 1, "maximum": 9},
            "k": {"type": "string", "format": "date"},
            "l": {"type": "array", "items": {"type": "string"}},
            "m": {"type": "string", "ui:field": "RepoUrlPicker", "ui:options": {"allowedHosts": ["github.com"]}},
            "n": {"type": "string", "ui:field": "OwnerPicker"},
            "o": {"type": "number", "ui:widget": "range"}
        }}),
        json!({}),
    );
    let x = Choice {
        value: json!("x"),
        label: "x".into(),
    };
    let y = Choice {
        value: json!("y"),
        label: "y".into(),
    };
    assert_eq!(fields[0].1, Widget::Text("text"));
    assert_eq!(fields[1].1, Widget::TextArea { rows: 3 });
    assert_eq!(fields[2].1, Widget::Password);
    assert_eq!(fields[3].1, Widget::Radio(vec![x.clone(), y.clone()]));
    assert_eq!(
        fields[4].1,
        Widget::Select(vec![
            Choice {
                value: json!("x"),
                label: "Ex".into()
            },
            Choice {
                value: json!("y"),
                label: "Why".into()
            }
        ])
    );
    assert_eq!(fields[5].1, Widget::Checkboxes(vec![x.clone(), y]));
    assert_eq!(fields[6].1, Widget::MultiSelect(vec![x]));
    assert_eq!(fields[7].1, Widget::Hidden);
    assert_eq!(fields[8].1, Widget::Checkbox);
    assert_eq!(
        fields[9].1,
        Widget::Number {
            integer: true,
            min: Some(1.0),
            max: Some(9.0),
            range: false
        }
    );
    assert_eq!(fields[10].1, Widget::Text("date"));
    assert_eq!(fields[11].1, Widget::TextList);
    assert_eq!(
        fields[12].1,
        Widget::RepoUrl {
            hosts: vec!["github.com".into()],
            owners: vec![]
        }
    );
    let Widget::EntityPicker(owner) = &fields[13].1 else {
        panic!("{:?}", fields[13])
    };
    assert_eq!(owner.kinds, ["Group", "User"]);
    assert_eq!(owner.default_kind.as_deref(), Some("Group"));
    assert!(matches!(
        fields[14].1,
        Widget::Number {
            range: true,
            integer: false,
            ..
        }
    ));
}

#[test]
fn ui_keys_describe_fields() {
    let fields: Vec<FormField> = page_fields(
        &schema(json!({
            "required": ["name"],
            "ui:order": ["name", "*", "first"],
            "properties": {
                "first": {"type": "string"},
                "other": {"type": "string", "ui:readonly": true},
                "name": {"type": "string", "title": "Name", "description": "Unique", "ui:help": "Lower case", "ui:placeholder": "payments", "ui:autofocus": true}
            }
        })),
        &json!({}),
    );
    let order: Vec<String> = fields.iter().map(|f| f.path.to_string()).collect();
    assert_eq!(order, ["name", "other", "first"]);
    let name = &fields[0];
    assert_eq!(
        (
            name.title.as_str(),
            name.description.as_deref(),
            name.help.as_deref(),
            name.placeholder.as_deref()
        ),
        ("Name", Some("Unique"), Some("Lower case"), Some("payments"))
    );
    assert!(name.required && name.autofocus && !name.readonly);
    assert!(fields[1].readonly);
    assert_eq!(
        fields[2].title, "first",
        "the property's name when there is no title"
    );
}

#[test]
fn conditional_fields_appear_with_their_condition() {
    let s = json!({
        "properties": {"database": {"type": "boolean", "title": "Database"}},
        "dependencies": {"database": {"oneOf": [
            {"properties": {"database": {"const": true}, "engine": {"type": "string", "enum": ["postgres"]}}},
            {"properties": {"database": {"const": false}}}
        ]}}
    });
    assert_eq!(widgets(s.clone(), json!({"database": false})).len(), 1);
    let shown = widgets(s, json!({"database": true}));
    assert_eq!(
        shown.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        ["database", "engine"]
    );
}

#[test]
fn nested_objects_and_repeated_groups() {
    let s = json!({"properties": {
        "owner": {"type": "object", "properties": {"displayName": {"type": "string"}}},
        "contacts": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}}
    }});
    let fields = widgets(s, json!({"contacts": [{"name": "a"}, {}]}));
    let Widget::Group(owner) = &fields[0].1 else {
        panic!()
    };
    assert_eq!(owner[0].path.to_string(), "owner.displayName");
    let Widget::Repeat { items, .. } = &fields[1].1 else {
        panic!()
    };
    assert_eq!(items.len(), 2);
    assert_eq!(items[1][0].path.to_string(), "contacts[1].name");
}

#[test]
fn inputs_round_trip_through_text() {
    let number = Widget::Number {
        integer: true,
        min: None,
        max: None,
        range: false,
    };
    assert_eq!(input_value(&number, "42"), Some(json!(42)));
    assert_eq!(input_value(&number, "4.5"), Some(json!(4.5)));
    assert_eq!(
        input_value(&number, "abc"),
        Some(json!("abc")),
        "kept so the validator can say why"
    );
    assert_eq!(input_value(&number, " "), None);
    let select = Widget::Select(vec![Choice {
        value: json!(true),
        label: "Yes".into(),
    }]);
    assert_eq!(input_value(&select, "true"), Some(json!(true)));
    assert_eq!(input_text(&select, &json!(true)), "true");
    assert_eq!(
        input_value(&Widget::Tags, "rust, web,"),
        Some(json!(["rust", "web"]))
    );
    assert_eq!(
        input_text(&Widget::Tags, &json!(["rust", "web"])),
        "rust, web"
    );
    assert_eq!(
        input_value(&Widget::TextList, "a\n\nb"),
        Some(json!(["a", "b"]))
    );
    assert_eq!(input_value(&Widget::Text("text"), ""), None);
    let path = parse_path("contacts[1].name").unwrap();
    assert_eq!(path.to_string(), "contacts[1].name");
    let mut values = json!({});
    set_value(&mut values, &path, Some(json!("Ada")));
    assert_eq!(values, json!({"contacts": [{}, {"name": "Ada"}]}));
    set_value(&mut values, &parse_path("contacts[0]").unwrap(), None);
    assert_eq!(values, json!({"contacts": [{"name": "Ada"}]}));
    assert!(parse_path("a[x]").is_none());
    assert!(parse_path("").is_none());
}

#[test]
fn a_page_is_read_from_a_form_posted_without_javascript() {
    let s = schema(json!({"properties": {
        "name": {"type": "string"},
        "replicas": {"type": "integer"},
        "public": {"type": "boolean", "default": true},
        "features": {"type": "array", "items": {"enum": ["logs", "metrics"]}, "ui:widget": "checkboxes"},
        "owner": {"type": "object", "properties": {"slack": {"type": "string"}}}
    }}));
    let mut values = json!({"public": true, "name": "old"});
    let posted: Vec<(String, String)> = [
        ("name", "pay"),
        ("replicas", "3"),
        ("features", "metrics"),
        ("owner.slack", "#pay"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    read_posted_page(&s, &mut values, &posted);
    assert_eq!(
        values,
        json!({"name": "pay", "replicas": 3, "public": false, "features": ["metrics"], "owner": {"slack": "#pay"}})
    );
}

fn template(spec: Value) -> Template {
    let entity: Entity = serde_json::from_value(json!({
        "apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
        "metadata": {"name": "t", "title": "T"}, "spec": spec
    }))
    .unwrap();
    Template::from_entity(&entity).unwrap()
}

#[test]
fn wizard_pages_follow_when_and_the_review_masks_secrets() {
    let t = template(json!({
        "type": "service",
        "parameters": [
            {"title": "Basics", "required": ["cloud"], "properties": {
                "cloud": {"type": "string", "enum": ["AWS", "GCP"]},
                "token": {"type": "string", "ui:widget": "password"},
                "key": {"type": "string", "ui:backstage": {"review": {"mask": "<hidden>"}}},
                "internal": {"type": "string", "ui:backstage": {"review": {"show": false}}}
            }},
            {"title": "AWS", "when": "${{ parameters.cloud === 'AWS' }}", "required": ["region"], "properties": {"region": {"type": "string", "default": "eu-west-1"}}},
            {"title": "GCP", "when": "${{ parameters.cloud === 'GCP' }}", "required": ["project"], "properties": {"project": {"type": "string"}}}
        ],
        "steps": [{"action": "debug:log"}]
    }));
    assert_eq!(t.pages.len(), 3);
    assert_eq!(t.visible_pages(&json!({"cloud": "GCP"})), [0, 2]);
    assert_eq!(
        t.validate(&json!({"cloud": "GCP"}))
            .iter()
            .map(|e| e.path.to_string())
            .collect::<Vec<_>>(),
        ["project"]
    );
    let values = json!({"cloud": "AWS", "token": "s3cret", "key": "k", "internal": "i", "project": "left over"});
    assert_eq!(
        t.submitted_values(&values),
        json!({"cloud": "AWS", "token": "s3cret", "key": "k", "internal": "i", "region": "eu-west-1"})
    );
    let rows: Vec<(String, String)> = review(&t, &t.submitted_values(&values))
        .into_iter()
        .map(|r| (r.title, r.value))
        .collect();
    assert_eq!(
        rows,
        [
            ("cloud".to_owned(), "AWS".to_owned()),
            ("token".to_owned(), "******".to_owned()),
            ("key".to_owned(), "<hidden>".to_owned()),
            ("region".to_owned(), "eu-west-1".to_owned()),
        ]
    );
    assert_eq!(t.initial_values(), json!({"region": "eu-west-1"}));
}

#[test]
fn pickers_search_with_their_catalog_filter() {
    let fields = widgets(
        json!({"properties": {
            "system": {"type": "string", "ui:field": "EntityPicker", "ui:options": {"catalogFilter": [
                {"kind": ["System"], "spec.lifecycle": "production"},
                {"kind": "Domain", "metadata.annotations.backstage.io/techdocs-ref": {"exists": true}}
            ]}},
            "owner": {"type": "string", "ui:field": "OwnerPicker"},
            "any": {"type": "string", "ui:field": "EntityPicker"}
        }}),
        json!({}),
    );
    let filter = |i: usize| match &fields[i].1 {
        Widget::EntityPicker(picker) => picker
            .filter
            .iter()
            .map(|group| {
                group
                    .conditions
                    .iter()
                    .map(|c| format!("{}={}", c.key, c.values.join("|")))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        filter(0),
        [
            "kind=system,spec.lifecycle=production",
            "kind=domain,metadata.annotations.backstage.io/techdocs-ref="
        ]
    );
    assert_eq!(filter(1), ["kind=group|user"]);
    assert!(filter(2).is_empty());
}
