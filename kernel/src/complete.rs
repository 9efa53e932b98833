//! Completion and inspection at the cursor: magics, tool names, people,
//! projects, datasets (and their columns) and models, looked up in the platform.

use maestro_tools::{Display, Platform, StatusFilter, TaskFilter};
use serde_json::json;

use crate::magics::MAGICS;

/// Matches for the word that ends at `cursor` (counted in characters), with
/// the character range they replace.
pub fn complete(platform: &Platform, code: &str, cursor: usize) -> (Vec<String>, usize, usize) {
    let chars: Vec<char> = code.chars().collect();
    let end = cursor.min(chars.len());
    let start = (0..end)
        .rev()
        .take_while(|&i| is_word(chars[i]))
        .last()
        .unwrap_or(end);
    let word: String = chars[start..end].iter().collect::<String>().to_lowercase();
    if word.is_empty() {
        return (Vec::new(), end, end);
    }
    let mut matches: Vec<String> = if word.starts_with('%') {
        MAGICS.iter().map(|(m, _)| m.to_string()).collect()
    } else {
        names(platform)
    };
    matches.retain(|m| m.to_lowercase().starts_with(&word) && m.to_lowercase() != word);
    matches.sort();
    matches.dedup();
    (matches, start, end)
}

/// Markdown about the word under the cursor: a tool's description and
/// arguments, a person's workload, a project's tasks, or a magic.
pub fn inspect(platform: &Platform, code: &str, cursor: usize) -> Option<String> {
    let chars: Vec<char> = code.chars().collect();
    let at = cursor.min(chars.len());
    let start = (0..at)
        .rev()
        .take_while(|&i| is_word(chars[i]))
        .last()
        .unwrap_or(at);
    let end = (at..chars.len())
        .take_while(|&i| is_word(chars[i]))
        .last()
        .map_or(at, |i| i + 1);
    let word: String = chars[start..end].iter().collect();
    let lower = word.to_lowercase();
    if lower.is_empty() {
        return None;
    }
    if let Some((name, help)) = MAGICS.iter().find(|(m, _)| *m == lower) {
        return Some(format!("## `{name}`\n\n{help}\n"));
    }
    if platform.registry().get(&lower).is_some() {
        let out = platform.call(None, "help", json!({"topic": lower})).ok()?;
        return Some(out.summary);
    }
    if let Some(text) = asset(platform, &lower) {
        return Some(text);
    }
    let query = platform.query(None);
    if let Ok(person) = query.person(&lower) {
        return Some(workload(platform, &person));
    }
    let projects = platform.lookup(None).project_names().ok()?;
    let project = projects
        .iter()
        .find(|p| p.to_lowercase() == lower || p.to_lowercase().split(' ').any(|w| w == lower))?;
    let tasks = query
        .tasks(&TaskFilter {
            project: Some(project.clone()),
            status: Some(StatusFilter::Open),
            ..Default::default()
        })
        .ok()?;
    let mut text = format!("## Project {project}\n\n{} open task(s)\n\n", tasks.len());
    for t in tasks.iter().take(10) {
        let who = t.assignee.as_deref().unwrap_or("unassigned");
        text.push_str(&format!("- #{} {} ({who})\n", t.id, t.title));
    }
    Some(text)
}

/// A dataset's profile and its latest model, by name.
fn asset(platform: &Platform, name: &str) -> Option<String> {
    let mut parts = Vec::new();
    let names = platform.lookup(None);
    if let Ok(d) = names.dataset(name, None)
        && let Ok(out) = platform.call(None, "describe_dataset", json!({"dataset": d.name}))
    {
        parts.push(format!("## Dataset {}\n\n{}", d.name, out.summary));
        parts.extend(out.displays.iter().filter_map(|d| match d {
            Display::Table(t) => Some(t.to_markdown()),
            _ => None,
        }));
    }
    if let Ok(m) = names.model(name, None)
        && let Ok(out) = platform.call(None, "describe_model", json!({"model": m.name}))
    {
        parts.push(format!("## Model {}\n\n{}", m.name, out.summary));
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

fn workload(platform: &Platform, person: &maestro_tools::Person) -> String {
    let tasks = platform
        .query(None)
        .tasks(&TaskFilter {
            assignee: Some(person.name.clone()),
            status: Some(StatusFilter::Open),
            ..Default::default()
        })
        .unwrap_or_default();
    let hours: f64 = tasks.iter().filter_map(|t| t.estimate_hours).sum();
    let today = platform.clock().today();
    let overdue = tasks
        .iter()
        .filter(|t| t.due.is_some_and(|d| d < today))
        .count();
    let mut text = format!(
        "## {}\n\n{} open task(s), {hours:.1} h estimated against {:.0} h a week; {overdue} overdue.\n",
        person.name,
        tasks.len(),
        person.capacity
    );
    if !person.skills.is_empty() {
        text.push_str(&format!("\nSkills: {}\n", person.skills.join(", ")));
    }
    for t in tasks.iter().take(10) {
        let due = t.due.map(|d| format!(", due {d}")).unwrap_or_default();
        text.push_str(&format!("\n- #{} {}{due}", t.id, t.title));
    }
    text
}

/// Everything a plain word can complete to.
fn names(platform: &Platform) -> Vec<String> {
    let mut names: Vec<String> = platform
        .registry()
        .iter()
        .map(|t| t.name().to_string())
        .collect();
    let known = platform.lookup(None);
    if let Ok(people) = known.people() {
        names.extend(people.into_iter().map(|p| p.name));
    }
    if let Ok(projects) = known.project_names() {
        names.extend(projects);
    }
    if let Ok(datasets) = known.datasets() {
        for d in datasets {
            let columns = d.profile.as_array().cloned().unwrap_or_default();
            names.extend(
                columns
                    .iter()
                    .filter_map(|c| c["name"].as_str().map(str::to_string)),
            );
            names.push(d.name);
        }
    }
    if let Ok(models) = known.models() {
        names.extend(models.into_iter().map(|m| m.name));
    }
    names.sort();
    names.dedup();
    names
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '%'
}

#[cfg(test)]
mod tests {
    use super::*;
    use maestro_tools::{Clock, import};

    fn demo() -> Platform {
        let platform = Platform::in_memory(Clock::System).unwrap();
        import::load_demo(&platform).unwrap();
        platform
    }

    #[test]
    fn completion_looks_at_the_word_before_the_cursor() {
        let p = demo();
        assert_eq!(complete(&p, "%ech", 4), (vec!["%echo".to_string()], 0, 4));
        let (m, start, end) = complete(&p, "assign it to ali please", 16);
        assert_eq!((m, start, end), (vec!["Alice Johnson".to_string()], 13, 16));
        let (m, ..) = complete(&p, "create_t", 8);
        assert_eq!(m, ["create_task"]);
        let (m, ..) = complete(&p, "list ", 5);
        assert!(m.is_empty());
    }

    #[test]
    fn inspection_explains_tools_people_and_projects() {
        let p = demo();
        let tool = inspect(&p, "create_task", 3).unwrap();
        assert!(
            tool.contains("create_task") && tool.contains("Arguments"),
            "{tool}"
        );
        let person = inspect(&p, "what is alice doing", 9).unwrap();
        assert!(person.contains("Alice Johnson") && person.contains("open task"));
        let project = inspect(&p, "billing", 0).unwrap();
        assert!(project.contains("Project Billing"), "{project}");
        assert!(inspect(&p, "zzz", 1).is_none());
    }

    #[test]
    fn datasets_and_their_columns_complete_and_inspect() {
        let p = demo();
        let iris = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/iris.csv");
        p.call(None, "register_dataset", json!({"path": iris}))
            .unwrap();
        let (m, ..) = complete(&p, "describe ir", 11);
        assert_eq!(m, ["iris"]);
        let (m, ..) = complete(&p, "what drives peta", 16);
        assert!(m.iter().any(|c| c.starts_with("petal length")), "{m:?}");
        let text = inspect(&p, "describe iris", 10).unwrap();
        assert!(
            text.contains("Dataset iris") && text.contains("| sepal length (cm) |"),
            "{text}"
        );
    }
}
