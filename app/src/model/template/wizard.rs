//! The form as a wizard: which page is shown, moving forward (only when the page is
//! valid) and back, the progress indicator's steps, and the final review. The browser
//! and a form posted without JavaScript go through the same moves.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::spec::Template;
use crate::model::catalog::validation::FieldError;

/// Where the wizard is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum WizardStep {
    /// A form page, by its index in the template's pages.
    Page(usize),
    /// The last step: every answer for review, then Create.
    #[default]
    Review,
}

/// The state of one person's form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Wizard {
    /// The answers so far, over every page.
    pub values: Value,
    /// The step shown.
    pub step: WizardStep,
    /// The person tried to leave this step (Next or Create) while it had problems: show
    /// every problem, not only those of fields they touched.
    pub attempted: bool,
    /// Problems found by the server (the catalog's checks, or the last submission).
    pub server_errors: Vec<FieldError>,
}

impl Wizard {
    /// A fresh form: defaults filled in, on the first visible page.
    pub fn start(template: &Template) -> Self {
        let values = template.initial_values();
        let step = first_step(template, &values);
        Wizard {
            values,
            step,
            attempted: false,
            server_errors: Vec::new(),
        }
    }

    /// A form at `step` with these answers (as posted), kept on a page that still shows.
    pub fn at(template: &Template, values: Value, step: WizardStep) -> Self {
        let values = if values.is_object() {
            values
        } else {
            Value::Object(Map::new())
        };
        let visible = template.visible_pages(&values);
        let step = match step {
            WizardStep::Page(page) if !visible.contains(&page) => first_step(template, &values),
            step => step,
        };
        Wizard {
            values,
            step,
            attempted: false,
            server_errors: Vec::new(),
        }
    }

    /// The problems of the step shown (on Review: of every page).
    pub fn errors(&self, template: &Template) -> Vec<FieldError> {
        match self.step {
            WizardStep::Page(page) => template.page_errors(page, &self.values),
            WizardStep::Review => template.validate(&self.values),
        }
    }

    /// Moves to the next visible page or to Review, if the page shown has no problems;
    /// otherwise stays and marks the attempt. Returns whether it moved.
    pub fn next(&mut self, template: &Template) -> bool {
        if !self.errors(template).is_empty() {
            self.attempted = true;
            return false;
        }
        self.attempted = false;
        self.step = match self.step {
            WizardStep::Page(page) => template
                .visible_pages(&self.values)
                .into_iter()
                .find(|p| *p > page)
                .map_or(WizardStep::Review, WizardStep::Page),
            WizardStep::Review => WizardStep::Review,
        };
        true
    }

    /// Moves to the previous visible page (answers are kept).
    pub fn back(&mut self, template: &Template) {
        let visible = template.visible_pages(&self.values);
        let previous = match self.step {
            WizardStep::Page(page) => visible.into_iter().rev().find(|p| *p < page),
            WizardStep::Review => visible.last().copied(),
        };
        if let Some(page) = previous {
            self.step = WizardStep::Page(page);
        }
        self.attempted = false;
    }

    /// Moves to `step` if every page before it is valid (the progress indicator's links
    /// go back freely and forward only over valid pages).
    pub fn go_to(&mut self, template: &Template, step: WizardStep) {
        while self.step != step {
            let before = self.step;
            let forward = match (before, step) {
                (WizardStep::Review, _) => false,
                (_, WizardStep::Review) => true,
                (WizardStep::Page(now), WizardStep::Page(target)) => target > now,
            };
            if forward {
                if !self.next(template) || self.step == before {
                    return;
                }
            } else {
                self.back(template);
                if self.step == before {
                    return;
                }
            }
        }
    }

    /// The progress indicator: each visible page's title and step, then Review.
    pub fn steps(&self, template: &Template) -> Vec<(String, WizardStep)> {
        let mut steps: Vec<(String, WizardStep)> = template
            .visible_pages(&self.values)
            .into_iter()
            .map(|page| (template.pages[page].title.clone(), WizardStep::Page(page)))
            .collect();
        steps.push(("Review".to_owned(), WizardStep::Review));
        steps
    }

    /// The position of the step shown among [`Wizard::steps`] (0-based).
    pub fn position(&self, template: &Template) -> usize {
        self.steps(template)
            .iter()
            .position(|(_, step)| *step == self.step)
            .unwrap_or(0)
    }
}

fn first_step(template: &Template, values: &Value) -> WizardStep {
    template
        .visible_pages(values)
        .first()
        .map_or(WizardStep::Review, |page| WizardStep::Page(*page))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use serde_json::json;

    use super::*;
    use crate::model::catalog::entity::Entity;

    fn template() -> Template {
        let entity: Entity = serde_json::from_value(json!({
            "apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
            "metadata": {"name": "t"},
            "spec": {"type": "service", "steps": [{"action": "debug:log"}], "parameters": [
                {"title": "One", "required": ["cloud"], "properties": {"cloud": {"enum": ["AWS", "GCP"]}}},
                {"title": "AWS", "when": "${{ parameters.cloud == 'AWS' }}", "required": ["region"], "properties": {"region": {"type": "string"}}},
                {"title": "Last", "properties": {"note": {"type": "string"}}}
            ]}
        }))
        .unwrap();
        Template::from_entity(&entity).unwrap()
    }

    #[test]
    fn moves_forward_only_over_valid_pages_and_skips_hidden_ones() {
        let t = template();
        let mut wizard = Wizard::start(&t);
        assert_eq!(wizard.step, WizardStep::Page(0));
        assert!(!wizard.next(&t));
        assert!(wizard.attempted);
        wizard.values = json!({"cloud": "GCP"});
        assert!(wizard.next(&t));
        assert_eq!(wizard.step, WizardStep::Page(2), "the AWS page is skipped");
        assert!(wizard.next(&t));
        assert_eq!(wizard.step, WizardStep::Review);
        assert_eq!(wizard.position(&t), 2);
        wizard.back(&t);
        assert_eq!(wizard.step, WizardStep::Page(2));
        wizard.values = json!({"cloud": "AWS"});
        wizard.back(&t);
        assert_eq!(wizard.step, WizardStep::Page(1));
        let titles: Vec<String> = wizard
            .steps(&t)
            .into_iter()
            .map(|(title, _)| title)
            .collect();
        assert_eq!(titles, ["One", "AWS", "Last", "Review"]);
        wizard.go_to(&t, WizardStep::Review);
        assert_eq!(
            wizard.step,
            WizardStep::Page(1),
            "stops at the first page with problems"
        );
        assert!(wizard.attempted);
        wizard.go_to(&t, WizardStep::Page(0));
        assert_eq!(wizard.step, WizardStep::Page(0));
    }

    #[test]
    fn a_posted_step_that_no_longer_shows_starts_over() {
        let t = template();
        let wizard = Wizard::at(&t, json!({"cloud": "GCP"}), WizardStep::Page(1));
        assert_eq!(wizard.step, WizardStep::Page(0));
    }
}
