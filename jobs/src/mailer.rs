//! Sending email: SMTP (lettre) in production, `.eml` files in an outbox folder in the
//! embedded default. Messages are rendered from the catalogue through askama layouts.

use std::path::PathBuf;

use askama::Template;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::catalogue::Composed;

/// The HTML layout.
#[derive(Template)]
#[template(path = "email.html")]
struct HtmlEmail<'a> {
    lang: &'a str,
    subject: &'a str,
    paragraphs: &'a [String],
    link: Option<(&'a str, &'a str)>,
    footer: &'a str,
}

/// The plain-text layout.
#[derive(Template)]
#[template(path = "email.txt")]
struct TextEmail<'a> {
    subject: &'a str,
    paragraphs: &'a [String],
    link: Option<(&'a str, &'a str)>,
    footer: &'a str,
}

/// Renders a composed message as (text, html).
pub fn render(c: &Composed) -> anyhow::Result<(String, String)> {
    let footer = if c.lang == "zh" {
        "本邮件由云贵班管理平台自动发送，请勿直接回复。"
    } else {
        "Sent automatically by the Yungui platform; please do not reply."
    };
    let link = c.link.as_ref().map(|(t, u)| (t.as_str(), u.as_str()));
    let text = TextEmail { subject: &c.subject, paragraphs: &c.paragraphs, link, footer }.render()?;
    let html = HtmlEmail { lang: c.lang, subject: &c.subject, paragraphs: &c.paragraphs, link, footer }.render()?;
    Ok((text, html))
}

/// Where mail goes.
pub enum Mailer {
    /// A real SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder, one per message id.
    Files(PathBuf),
}

impl Mailer {
    /// SMTP from an `smtp://`/`smtps://` URL (credentials and `?tls=` as lettre reads them),
    /// or files in `outbox` when there is no URL.
    pub fn new(smtp_url: Option<&str>, outbox: PathBuf) -> anyhow::Result<Mailer> {
        match smtp_url {
            Some(url) => Ok(Mailer::Smtp(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build())),
            None => {
                std::fs::create_dir_all(&outbox)?;
                Ok(Mailer::Files(outbox))
            }
        }
    }

    /// Sends one message. `id` names it for good (the notification's id): it is the
    /// `Message-ID`, so a message sent again after a worker died between sending and
    /// recording it is recognisably the same one, and in the outbox folder it is the
    /// file name, so a second send replaces the first instead of adding a copy.
    pub async fn send(&self, id: uuid::Uuid, from: &str, to: &str, c: &Composed) -> anyhow::Result<()> {
        let (text, html) = render(c)?;
        let from: Mailbox = from.parse()?;
        let to: Mailbox = to.parse()?;
        let domain = from.email.domain().to_owned();
        let msg = Message::builder()
            .message_id(Some(format!("<{id}@{domain}>")))
            .from(from)
            .to(to)
            .subject(c.subject.clone())
            .multipart(MultiPart::alternative_plain_html(text, html))?;
        match self {
            Mailer::Smtp(t) => {
                t.send(msg).await?;
            }
            Mailer::Files(dir) => {
                // Written whole, then renamed: a reader never sees half a message.
                let part = dir.join(format!("{id}.eml.part"));
                tokio::fs::write(&part, msg.formatted()).await?;
                tokio::fs::rename(&part, dir.join(format!("{id}.eml"))).await?;
            }
        }
        Ok(())
    }
}
