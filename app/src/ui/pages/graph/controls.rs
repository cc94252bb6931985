//! The graph page's question as a form (GET, so that submitting it is a link, and it
//! works without JavaScript): roots, depth, which relations to follow and which way,
//! relation types and kinds, and how to draw.

use leptos::prelude::*;

use super::{param, values};
use crate::model::graph::subgraph::{inverse, RELATION_PAIRS};

/// The kinds offered as filters.
const KINDS: [&str; 9] = [
    "component",
    "api",
    "resource",
    "system",
    "domain",
    "group",
    "user",
    "template",
    "location",
];

/// The form.
#[component]
pub(super) fn Controls(query: Memo<String>) -> impl IntoView {
    move || {
        let query = query.get();
        let value = |key: &str, default: &str| param(&query, key).unwrap_or(default.to_owned());
        let lower = |key: &str| -> Vec<String> {
            values(&query, key)
                .into_iter()
                .map(|v| v.to_lowercase())
                .collect()
        };
        let roots = lower("root").join(", ");
        let (relations, kinds) = (lower("relation"), lower("kind"));
        let (depth, direction, layout) = (
            value("depth", "1"),
            value("direction", "both"),
            value("layout", "right"),
        );
        let option = |value: &'static str, label: &'static str, chosen: &str| {
            view! { <option value=value selected=value == chosen>{label}</option> }
        };
        let flag = |key: &str, on: &str| param(&query, key).as_deref() == Some(on);
        view! {
            <form class="graph-controls" method="get" action="/graph" data-testid="graph-controls">
                <label>
                    "Start from "
                    <input type="text" name="root" value=roots size="40"
                        placeholder="kind:namespace/name, another…" data-testid="graph-root"
                        title="One entity ref, or several separated by commas" />
                </label>
                <label>
                    "Depth "
                    <select name="depth" data-testid="graph-depth">
                        {option("1", "1", &depth)}
                        {option("2", "2", &depth)}
                        {option("3", "3", &depth)}
                        {option("4", "4", &depth)}
                        {option("6", "6", &depth)}
                        {option("unlimited", "unlimited", &depth)}
                    </select>
                </label>
                <label>
                    "Follow "
                    <select name="direction" data-testid="graph-direction">
                        {option("both", "relations both ways", &direction)}
                        {option("out", "its relations", &direction)}
                        {option("in", "relations to it", &direction)}
                    </select>
                </label>
                <label>
                    "Draw "
                    <select name="layout" data-testid="graph-layout">
                        {option("right", "left to right", &layout)}
                        {option("down", "top to bottom", &layout)}
                    </select>
                </label>
                <details class="graph-filters" open=!relations.is_empty() || !kinds.is_empty()>
                    <summary>"Relations and kinds"</summary>
                    <fieldset data-testid="graph-relations">
                        <legend>"Relations (none ticked: all)"</legend>
                        {RELATION_PAIRS.iter().map(|&(first, second)| {
                            let ticked = relations.iter().any(|r| {
                                r.eq_ignore_ascii_case(first) || r.eq_ignore_ascii_case(second)
                            });
                            view! {
                                <label>
                                    <input type="checkbox" name="relation" value=first checked=ticked />
                                    {format!(" {first} / {}", inverse(first).unwrap_or(second))}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <fieldset data-testid="graph-kinds">
                        <legend>"Kinds (none ticked: all)"</legend>
                        {KINDS.iter().map(|&kind| view! {
                            <label>
                                <input type="checkbox" name="kind" value=kind checked=kinds.iter().any(|k| k == kind) />
                                {format!(" {kind}")}
                            </label>
                        }).collect_view()}
                    </fieldset>
                </details>
                <label>
                    <input type="checkbox" name="pairs" value="both" checked=flag("pairs", "both") />
                    " both relations of each pair"
                </label>
                <label>
                    <input type="checkbox" name="missing" value="hide" checked=flag("missing", "hide")
                        data-testid="graph-hide-missing" />
                    " hide refs not in the catalog"
                </label>
                <label>
                    <input type="checkbox" name="group" value="system" checked=flag("group", "system")
                        data-testid="graph-group" />
                    " systems as boxes"
                </label>
                {param(&query, "impact").map(|way| view! { <input type="hidden" name="impact" value=way /> })}
                <button type="submit">"Show"</button>
            </form>
        }
    }
}
