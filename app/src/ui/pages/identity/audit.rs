//! `/admin/audit`: the audit log for admins — every write and every refused attempt,
//! newest first, filtered by who, action, result, target and dates (a GET form, so the
//! URL reproduces the view and it works without JavaScript), a page at a time, and
//! exported as JSON lines with the same filter.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::{
    api::{get_audit, AuditAnswer},
    model::{
        identity::audit::{actions, AuditEntry, AuditPage, AuditQuery, Outcome},
        task::rfc3339,
    },
    ui::status::{FailedStatus, ForbiddenStatus},
};

/// Where the page lives.
const PATH: &str = "/admin/audit";

/// The page.
#[component]
pub fn AuditLogPage() -> impl IntoView {
    let location = use_location();
    let search = Memo::new(move |_| location.search.get().trim_start_matches('?').to_owned());
    let answer = Resource::new(move || search.get(), get_audit);
    view! {
        <Title text="Audit log" />
        <h1>"Audit log"</h1>
        <p class="muted">
            "Every change made through the portal and every attempt it refused: who, what, \
             on what, with what result, when and from where."
        </p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let query = query_of(&search.get_untracked());
                match answer.await {
                    Ok(AuditAnswer::Page(page)) => view! { <Log query page /> }.into_any(),
                    Ok(AuditAnswer::BadQuery(why)) => {
                        view! {
                            <Filter query />
                            <p class="notice notice--error" role="alert" data-testid="audit-bad-query">{why}</p>
                        }
                            .into_any()
                    }
                    Ok(AuditAnswer::Refused(why)) => {
                        view! {
                            <ForbiddenStatus />
                            <p class="notice notice--error" role="alert" data-testid="audit-refused">{why}</p>
                        }
                            .into_any()
                    }
                    Err(error) => {
                        view! {
                            <FailedStatus />
                            <p class="notice notice--error" role="alert">
                                {format!("The audit log could not be read: {}", crate::api::reason(&error))}
                            </p>
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The query in the page's URL, as far as it reads (a bad one is reported by the
/// server's answer).
fn query_of(search: &str) -> AuditQuery {
    AuditQuery::from_query_string(search).unwrap_or_default()
}

/// `PATH` with `query`.
fn link(query: &AuditQuery) -> String {
    match query.to_query_string() {
        text if text.is_empty() => PATH.to_owned(),
        text => format!("{PATH}?{text}"),
    }
}

/// The filter, the entries and the way to older ones.
#[component]
fn Log(query: AuditQuery, page: AuditPage) -> impl IntoView {
    let export = match query.first_page().to_query_string() {
        text if text.is_empty() => "/api/identity/audit/export".to_owned(),
        text => format!("/api/identity/audit/export?{text}"),
    };
    let newest = query.before.is_some().then(|| link(&query.first_page()));
    let older = page.older.map(|before| {
        link(&AuditQuery {
            before: Some(before),
            ..query.clone()
        })
    });
    let entries = page.entries;
    view! {
        <Filter query />
        <p class="audit-tools">
            <a class="button button--quiet" href=export rel="external" download="portico-audit.jsonl" data-testid="audit-export">
                "Export as JSON lines"
            </a>
        </p>
        {match entries.is_empty() {
            true => view! { <p class="muted" data-testid="audit-empty">"No entries match."</p> }.into_any(),
            false => view! { <Entries entries /> }.into_any(),
        }}
        <nav class="audit-pages" aria-label="Pages of the audit log">
            {newest.map(|href| view! { <a href=href>"← Newest"</a> })}
            {older.map(|href| view! { <a href=href data-testid="audit-older">"Older →"</a> })}
        </nav>
    }
}

/// The filter form: a GET to this page.
#[component]
fn Filter(query: AuditQuery) -> impl IntoView {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let action = query.action.clone();
    let outcome = query.outcome;
    view! {
        <form class="audit-filter" method="get" action=PATH data-testid="audit-filter">
            <label>
                "Who"
                <input type="text" name="who" value=text(&query.actor) placeholder="user:default/ada" />
            </label>
            <label>
                "Action"
                <select name="action">
                    <option value="">"Any"</option>
                    {actions::all()
                        .map(|name| {
                            let selected = action.as_deref() == Some(name);
                            view! { <option value=name selected=selected>{name}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Result"
                <select name="result">
                    <option value="">"Any"</option>
                    {Outcome::all()
                        .map(|o| view! { <option value=o.name() selected=outcome == Some(o)>{o.name()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Target contains"
                <input type="text" name="target" value=text(&query.target) />
            </label>
            <label>
                "From"
                <input type="date" name="since" value=text(&query.since) />
            </label>
            <label>
                "To"
                <input type="date" name="until" value=text(&query.until) />
            </label>
            <button class="button" type="submit">"Filter"</button>
            <a class="button button--quiet" href=PATH>"Clear"</a>
        </form>
    }
}

/// The entries, newest first.
#[component]
fn Entries(entries: Vec<AuditEntry>) -> impl IntoView {
    view! {
        <table class="audit-table" data-testid="audit-table">
            <thead>
                <tr>
                    <th>"When (UTC)"</th>
                    <th>"Who"</th>
                    <th>"Action"</th>
                    <th>"Target"</th>
                    <th>"Result"</th>
                    <th>"From"</th>
                </tr>
            </thead>
            <tbody>
                {entries
                    .into_iter()
                    .map(|entry| {
                        let when = rfc3339(entry.at);
                        let outcome = entry.outcome.name();
                        let detail = (!entry.detail.is_empty()).then(|| {
                            view! { <div class="audit-detail">{entry.detail.clone()}</div> }
                        });
                        view! {
                            <tr data-testid="audit-entry">
                                <td><time datetime=when.clone()>{when[..19].replace('T', " ")}</time></td>
                                <td>
                                    <div>{entry.actor}</div>
                                    <div class="muted">{entry.via}</div>
                                </td>
                                <td><code>{entry.action}</code></td>
                                <td>{entry.target}</td>
                                <td>
                                    <span class=format!("badge audit-outcome audit-outcome--{outcome}")>{outcome}</span>
                                    {detail}
                                </td>
                                <td>{entry.origin}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
