//! Slack users as people on the team: the speaker (for "me") and `<@U…>`
//! mentions in the text.

use std::sync::LazyLock;

use maestro_tools::Person;
use regex::Regex;

use super::Slack;

/// `<@U123>` or `<@U123|name>`.
static MENTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<@([A-Z0-9]+)(?:\|[^>]*)?>").expect("valid regex"));

/// The person speaking: by Slack id, else by the e-mail Slack has for them
/// (`users.info`); `None` when they are not on the team.
pub async fn speaker(slack: &Slack, people: &[Person], user: &str) -> Option<String> {
    if let Some(p) = people.iter().find(|p| p.slack_id.as_deref() == Some(user)) {
        return Some(p.name.clone());
    }
    let info = slack.get("users.info", &[("user", user)]).await.ok()?;
    let email = info["user"]["profile"]["email"].as_str()?.to_lowercase();
    people
        .iter()
        .find(|p| p.email.as_deref().map(str::to_lowercase).as_deref() == Some(email.as_str()))
        .map(|p| p.name.clone())
}

/// `<url|label>` links.
static LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<(?:https?|mailto):[^|>]*\|([^>]*)>|<((?:https?|mailto):[^>]*)>")
        .expect("valid regex")
});
/// `<!here>`, `<!channel>`, `<!subteam^…|@team>` and other special mentions, and `<#C…|name>` channels.
static SPECIAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<!(\w+)(?:\^[^|>]*)?(?:\|([^>]*))?>|<#[A-Z0-9]+(?:\|([^>]*))?>")
        .expect("valid regex")
});

/// Slack's markup in a message as the words people read: links as their
/// labels, `<!here>` as `@here`, channels as `#name`, entities decoded —
/// so none of it is stored in a task or echoed back to ping anyone.
pub fn plain_text(text: &str) -> String {
    let text = LINK.replace_all(text, |c: &regex::Captures<'_>| {
        c.get(1)
            .or(c.get(2))
            .map_or(String::new(), |m| m.as_str().to_string())
    });
    let text = SPECIAL.replace_all(&text, |c: &regex::Captures<'_>| {
        match (c.get(1), c.get(2), c.get(3)) {
            (Some(_), Some(label), _) => label.as_str().to_string(),
            (Some(word), None, _) => format!("@{}", word.as_str()),
            (None, _, Some(name)) => format!("#{}", name.as_str()),
            _ => "#channel".to_string(),
        }
    });
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The first person on the team the text mentions (`<@U…>`), if any.
pub fn first_mentioned<'a>(text: &str, people: &'a [Person]) -> Option<&'a Person> {
    MENTION.captures_iter(text).find_map(|caps| {
        people
            .iter()
            .find(|p| p.slack_id.as_deref() == Some(&caps[1]))
    })
}

/// The text with mentions of people on the team as their names (`@first`
/// when the first name is theirs alone) and other mentions (the bot itself)
/// removed.
pub fn plain_mentions(text: &str, people: &[Person]) -> String {
    let replaced = MENTION.replace_all(text, |caps: &regex::Captures<'_>| {
        let id = &caps[1];
        match people.iter().find(|p| p.slack_id.as_deref() == Some(id)) {
            Some(p) => {
                let first = p.name.split_whitespace().next().unwrap_or(&p.name);
                let shared = people
                    .iter()
                    .filter(|q| q.name.split_whitespace().next() == Some(first))
                    .count()
                    > 1;
                if shared {
                    p.name.clone()
                } else {
                    format!("@{first}")
                }
            }
            None => String::new(),
        }
    });
    replaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, slack: &str) -> Person {
        Person {
            name: name.into(),
            email: None,
            slack_id: Some(slack.into()),
            skills: Vec::new(),
            capacity: 40.0,
            timezone: None,
        }
    }

    #[test]
    fn mentions_become_names_and_the_bot_disappears() {
        let people = [
            person("Bob Smith", "U1"),
            person("Ann Lee", "U2"),
            person("Ann Park", "U3"),
        ];
        assert_eq!(
            plain_mentions("<@UBOT> create a task for <@U1> to fix it", &people),
            "create a task for @Bob to fix it"
        );
        assert_eq!(
            plain_mentions("assign it to <@U3|ann>", &people),
            "assign it to Ann Park"
        );
        assert_eq!(
            plain_text(
                "<!here> prod down, see <https://evil.example|status page> in <#C1|ops> &amp; <https://a.b>"
            ),
            "@here prod down, see status page in #ops & https://a.b"
        );
        let first = first_mentioned("<@UBOT> ping <@U2> and <@U1>", &people);
        assert_eq!(first.map(|p| p.name.as_str()), Some("Ann Lee"));
        assert!(first_mentioned("no one here", &people).is_none());
    }
}
