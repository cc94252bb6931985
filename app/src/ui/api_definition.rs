//! An API's definition on its entity page: OpenAPI operations grouped by tag, AsyncAPI
//! channels with their messages, other definitions as highlighted text. Every text comes
//! from the descriptor and is rendered as text, never as HTML.

use leptos::prelude::*;

use crate::model::catalog::api_definition::{ApiDefinition, AsyncApi, OpenApi, Operation, Token};

/// The definition, prepared by the server.
#[component]
pub fn ApiDefinitionView(definition: ApiDefinition) -> impl IntoView {
    match definition {
        ApiDefinition::OpenApi(api) => view! { <OpenApiView api /> }.into_any(),
        ApiDefinition::AsyncApi(api) => view! { <AsyncApiView api /> }.into_any(),
        ApiDefinition::Text(tokens) => view! { <Highlighted tokens /> }.into_any(),
    }
}

#[component]
fn OpenApiView(api: OpenApi) -> impl IntoView {
    view! {
        <div class="openapi" data-testid="openapi">
            <p class="muted">
                {format!("{} {}", api.title, api.version)}
                {api.servers.into_iter().map(|server| view! { " · " <code>{server}</code> }).collect_view()}
            </p>
            {api
                .groups
                .into_iter()
                .map(|group| {
                    let tag = group.tag.clone();
                    view! {
                        <section class="operation-group" data-tag=tag>
                            <h4>{group.tag}</h4>
                            {group.description.map(|d| view! { <p class="muted">{d}</p> })}
                            {group.operations.into_iter().map(|operation| view! { <OperationView operation /> }).collect_view()}
                        </section>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[component]
fn OperationView(operation: Operation) -> impl IntoView {
    let method = operation.method.to_ascii_lowercase();
    view! {
        <details class="operation" data-testid="operation">
            <summary>
                <span class=format!("method method--{method}")>{operation.method.clone()}</span>
                <code class="operation__path">{operation.path.clone()}</code>
                <span class="operation__summary">{operation.summary.clone().unwrap_or_default()}</span>
            </summary>
            <div class="operation__body">
                {operation.operation_id.map(|id| view! { <p class="muted">"Operation " <code>{id}</code></p> })}
                {(!operation.parameters.is_empty()).then(|| view! {
                    <h5>"Parameters"</h5>
                    <table class="definition-table">
                        <thead><tr><th>"Name"</th><th>"In"</th><th>"Type"</th><th>"Description"</th></tr></thead>
                        <tbody>
                            {operation.parameters.into_iter().map(|p| view! {
                                <tr>
                                    <td><code>{p.name}</code>{p.required.then(|| view! { <span class="required" title="required">" *"</span> })}</td>
                                    <td>{p.location}</td>
                                    <td><code>{p.schema}</code></td>
                                    <td>{p.description.unwrap_or_default()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
                {(!operation.request.is_empty()).then(|| view! {
                    <h5>"Request body"</h5>
                    <ul class="definition-list">
                        {operation.request.into_iter().map(|(media, schema)| view! {
                            <li><span class="muted">{media}</span> " " <code>{schema}</code></li>
                        }).collect_view()}
                    </ul>
                })}
                <h5>"Responses"</h5>
                <ul class="definition-list">
                    {operation.responses.into_iter().map(|(status, description, schema)| view! {
                        <li>
                            <strong>{status}</strong> " " {description}
                            {schema.map(|schema| view! { " " <code>{schema}</code> })}
                        </li>
                    }).collect_view()}
                </ul>
            </div>
        </details>
    }
}

#[component]
fn AsyncApiView(api: AsyncApi) -> impl IntoView {
    view! {
        <div class="asyncapi" data-testid="asyncapi">
            <p class="muted">{format!("{} {}", api.title, api.version)}</p>
            {api.channels.into_iter().map(|channel| view! {
                <section class="channel" data-testid="channel">
                    <h4><code>{channel.name}</code></h4>
                    {channel.description.map(|d| view! { <p class="muted">{d}</p> })}
                    <ul class="definition-list">
                        {channel.messages.into_iter().map(|(action, summary, message, payload)| view! {
                            <li>
                                <span class="badge badge--muted">{action}</span> " "
                                <strong>{message}</strong>
                                {summary.map(|s| view! { " — " {s} })}
                                <br />
                                <code>{payload}</code>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            }).collect_view()}
        </div>
    }
}

#[component]
fn Highlighted(tokens: Vec<Token>) -> impl IntoView {
    view! {
        <pre class="code highlighted" data-testid="api-definition-text"><code>
            {tokens.into_iter().map(|token| {
                if token.class == "text" {
                    view! { <span>{token.text}</span> }.into_any()
                } else {
                    view! { <span class=format!("tok-{}", token.class)>{token.text}</span> }.into_any()
                }
            }).collect_view()}
        </code></pre>
    }
}
