//! Scaffolder tasks as the task pages and the task API show them: a task's status, its
//! events (log lines per step, then its completion) and its output.
//!
//! The JSON shapes follow Backstage's scaffolder API (`type`, `body.stepId`,
//! `createdAt`…), so Backstage's own clients read them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    /// Waiting for a worker.
    Open,
    /// A worker runs it.
    Processing,
    /// Every step ran.
    Completed,
    /// A step failed; the steps after it did not run.
    Failed,
    /// Someone cancelled it.
    Cancelled,
}

impl TaskStatus {
    /// Its name in the API: `open`, `processing`…
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Processing => "processing",
            TaskStatus::Completed => "completed",
            TaskStatus::Failed => "failed",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Reads a status's name.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Open,
            Self::Processing,
            Self::Completed,
            Self::Failed,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Whether the task has ended (nothing more will happen to it).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Cancelled
        )
    }
}

/// Where one step is, as its log events say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// Not started.
    Open,
    /// Running.
    Processing,
    /// Done.
    Completed,
    /// Its `if` did not hold.
    Skipped,
    /// It failed.
    Failed,
    /// The task was cancelled while it ran or before.
    Cancelled,
}

/// What an event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskEventType {
    /// A log line, perhaps a step's status change.
    Log,
    /// The task ended (its body holds the final status and the output).
    Completion,
    /// The task was cancelled.
    Cancelled,
}

/// One event of a task, as the event stream sends it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskEvent {
    /// Increasing per task: `?after=` resumes after it.
    pub id: i64,
    /// The task.
    pub task_id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub event_type: TaskEventType,
    /// The message and, for steps, which step and its status.
    pub body: TaskEventBody,
    /// When, as RFC 3339 (UTC).
    pub created_at: String,
}

/// The body of an event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskEventBody {
    /// A line of the log.
    pub message: String,
    /// The step it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
    /// The step's new status, when it changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StepStatus>,
    /// On completion: the task's output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// On completion: the task's final status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_status: Option<TaskStatus>,
}

/// A task in a list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskSummary {
    /// Its id.
    pub id: String,
    /// The template it runs, `template:namespace/name`.
    pub template_ref: String,
    /// The template's title when the task was created.
    pub template_title: String,
    /// Where it is.
    pub status: TaskStatus,
    /// When it was created (milliseconds since the Unix epoch).
    pub created_at: i64,
    /// When it ended.
    pub finished_at: Option<i64>,
}

/// One of the task's steps, for its page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskStep {
    /// The step's id (its position when the template gave none).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its action.
    pub action: String,
}

/// A link in a task's output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputLink {
    /// What the link says.
    pub title: String,
    /// The URL or entity ref as the output wrote it.
    pub target: String,
    /// Where it goes in a browser: an http(s) URL, or an entity's page; `None` for what a
    /// browser cannot open (a `file://` repository), shown as text.
    pub href: Option<String>,
}

/// A text in a task's output (Markdown as written).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputText {
    /// Its heading.
    pub title: String,
    /// Its content.
    pub content: String,
}

/// A task's page: what it runs, every event so far, and its output once ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskPage {
    /// The task.
    pub summary: TaskSummary,
    /// Its steps, in order.
    pub steps: Vec<TaskStep>,
    /// Its events so far.
    pub events: Vec<TaskEvent>,
    /// Links from the template's `output`, filled in.
    pub links: Vec<OutputLink>,
    /// Texts from the template's `output`, filled in.
    pub texts: Vec<OutputText>,
    /// Whether the workspace can be downloaded.
    pub has_archive: bool,
}

/// What a dry run did, for the form's review step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DryRunView {
    /// How it ended.
    pub status: TaskStatus,
    /// The steps it went through.
    pub steps: Vec<TaskStep>,
    /// Its log.
    pub events: Vec<TaskEvent>,
    /// The files the task would produce.
    pub files: Vec<DryRunFileView>,
    /// Output links, filled in.
    pub links: Vec<OutputLink>,
    /// Output texts, filled in.
    pub texts: Vec<OutputText>,
}

/// A file a dry run produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRunFileView {
    /// Its path in the workspace.
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its text, when it is UTF-8 and not too long to show.
    pub text: Option<String>,
}

/// Each step's status as its events tell it (steps not mentioned are open).
pub fn step_statuses(steps: &[TaskStep], events: &[TaskEvent]) -> Vec<StepStatus> {
    steps
        .iter()
        .map(|step| {
            events
                .iter()
                .rev()
                .filter(|e| e.body.step_id.as_deref() == Some(step.id.as_str()))
                .find_map(|e| e.body.status)
                .unwrap_or(StepStatus::Open)
        })
        .collect()
}

/// The links and texts of a task's output as written by Backstage templates
/// (`{links: [{title, url | entityRef}], text: [{title, content}]}`); entity refs link to
/// their catalog page. Items whose `if` is false were dropped when the output was made.
pub fn output_parts(output: &Value) -> (Vec<OutputLink>, Vec<OutputText>) {
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let links = output
        .get("links")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|link| {
            let url = link
                .get("url")
                .and_then(Value::as_str)
                .filter(|u| !u.is_empty());
            let reference = link
                .get("entityRef")
                .and_then(Value::as_str)
                .filter(|r| !r.is_empty());
            let (target, href) = match (url, reference) {
                (Some(url), _) => (url.to_owned(), super::catalog::entity_page::safe_url(url)),
                (None, Some(reference)) => {
                    let parsed = super::catalog::entity_ref::EntityRef::parse_full(reference).ok();
                    let href = parsed.map(|r| super::catalog::entity_page::entity_href(&r));
                    (reference.to_owned(), href)
                }
                (None, None) => return None,
            };
            let title = Some(text(link, "title"))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| target.clone());
            Some(OutputLink {
                title,
                target,
                href,
            })
        })
        .collect();
    let texts = output
        .get("text")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|item| OutputText {
            title: text(item, "title"),
            content: text(item, "content"),
        })
        .collect();
    (links, texts)
}

/// `ms` (milliseconds since the Unix epoch) as RFC 3339 in UTC:
/// `2026-11-24T07:30:00.123Z`.
pub fn rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use serde_json::json;

    use super::*;

    #[test]
    fn prints_times_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_505_400_123), "2026-11-24T07:30:00.123Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn reads_output_links_and_texts() {
        let (links, texts) = output_parts(&json!({
            "links": [
                {"title": "Repository", "url": "https://git.example.com/a/b"},
                {"title": "Open in catalog", "entityRef": "component:default/payments"},
                {"title": "Evil", "url": "javascript:alert(1)"},
                {"title": "Nothing", "url": ""}
            ],
            "text": [{"title": "Summary", "content": "**done**"}]
        }));
        let hrefs: Vec<(&str, Option<&str>)> = links
            .iter()
            .map(|l| (l.title.as_str(), l.href.as_deref()))
            .collect();
        assert_eq!(
            hrefs,
            [
                ("Repository", Some("https://git.example.com/a/b")),
                (
                    "Open in catalog",
                    Some("/catalog/default/component/payments")
                ),
                ("Evil", None),
            ]
        );
        assert_eq!(
            links[2].target, "javascript:alert(1)",
            "shown as text, never a link"
        );
        assert_eq!(texts[0].content, "**done**");
    }

    #[test]
    fn events_say_where_each_step_is() {
        let steps = vec![
            TaskStep {
                id: "a".into(),
                name: "A".into(),
                action: "debug:log".into(),
            },
            TaskStep {
                id: "b".into(),
                name: "B".into(),
                action: "debug:log".into(),
            },
        ];
        let event = |step: &str, status: StepStatus| TaskEvent {
            id: 1,
            task_id: "t".into(),
            event_type: TaskEventType::Log,
            body: TaskEventBody {
                message: String::new(),
                step_id: Some(step.into()),
                status: Some(status),
                ..Default::default()
            },
            created_at: rfc3339(0),
        };
        let events = [
            event("a", StepStatus::Processing),
            event("a", StepStatus::Completed),
            event("b", StepStatus::Processing),
        ];
        assert_eq!(
            step_statuses(&steps, &events),
            [StepStatus::Completed, StepStatus::Processing]
        );
        assert_eq!(
            serde_json::to_value(&events[0]).unwrap(),
            json!({"id": 1, "taskId": "t", "type": "log", "body": {"message": "", "stepId": "a", "status": "processing"}, "createdAt": "1970-01-01T00:00:00.000Z"})
        );
    }
}
