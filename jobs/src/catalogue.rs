//! Every message Yungui sends, in Simplified Chinese and English: subject, paragraphs
//! and an optional link. The askama layouts in `templates/` turn them into HTML and text.

use serde_json::Value;

/// A message ready for a layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub paragraphs: Vec<String>,
    /// Button text and URL.
    pub link: Option<(String, String)>,
    /// `zh` or `en`.
    pub lang: &'static str,
}

fn s(v: &Value, k: &str) -> String {
    match &v[k] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn yuan(v: &Value, k: &str) -> String {
    let fen = v[k].as_i64().unwrap_or(0);
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

/// Every template name, for checks that both languages cover all of them.
pub const TEMPLATES: &[&str] = &[
    "activation",
    "password_reset",
    "admission",
    "enrolled",
    "status_changed",
    "subsidy_paid",
    "subsidy_held",
    "subsidy_failed",
    "placement_to_confirm",
    "placement_reminder",
    "placement_declined",
    "fare_due",
    "follow_up_due",
    "internship_ending",
    "batch_awaiting_approval",
    "payments_failed",
];

/// Composes `template` in `lang` with `p`; None for an unknown template.
pub fn compose(template: &str, lang: &str, p: &Value, public_url: &str) -> Option<Composed> {
    let zh = lang != "en";
    let link = |path: &str, zh_text: &str, en_text: &str| {
        Some(((if zh { zh_text } else { en_text }).to_owned(), format!("{}{}", public_url.trim_end_matches('/'), path)))
    };
    let token_link = |page: &str| format!("/{page}?token={}", s(p, "token"));
    let (subject, paragraphs, link): (String, Vec<String>, Option<(String, String)>) = match (template, zh) {
        ("activation", true) => (
            "激活您的云贵班账号".into(),
            vec![format!("{}，您好：", s(p, "name")), format!("已为您开通云贵班管理平台账号，登录名：{}。请点击下方按钮设置密码，链接 14 天内有效。", s(p, "login"))],
            link(&token_link("activate"), "设置密码", "Set password"),
        ),
        ("activation", false) => (
            "Activate your Yungui account".into(),
            vec![format!("Hello {},", s(p, "name")), format!("An account has been opened for you. Your login is {}. Set your password with the button below; the link works for 14 days.", s(p, "login"))],
            link(&token_link("activate"), "设置密码", "Set password"),
        ),
        ("password_reset", true) => (
            "重置密码".into(),
            vec![format!("{}，您好：", s(p, "name")), "我们收到了重置密码的请求。如非本人操作，请忽略本邮件。链接 2 小时内有效。".into()],
            link(&token_link("reset-password"), "重置密码", "Reset password"),
        ),
        ("password_reset", false) => (
            "Reset your password".into(),
            vec![format!("Hello {},", s(p, "name")), "Someone asked to reset your password. If it was not you, ignore this email. The link works for 2 hours.".into()],
            link(&token_link("reset-password"), "重置密码", "Reset password"),
        ),
        ("admission", true) => (
            "录取通知".into(),
            vec![format!("{}同学：", s(p, "name")), format!("恭喜您被录取到{}专业。学校将通知您报到的时间和地点。", s(p, "major"))],
            None,
        ),
        ("admission", false) => (
            "You have been admitted".into(),
            vec![format!("Dear {},", s(p, "name")), format!("Congratulations: you have been admitted to {}. Your school will tell you when and where to register.", s(p, "major"))],
            None,
        ),
        ("enrolled", true) => (
            "欢迎入学".into(),
            vec![format!("{}同学：", s(p, "name")), format!("您已于 {} 报到入学。您可以在手机上查看学籍状态、补助发放和实习就业情况。登录名：{}。", s(p, "enrolled_on"), s(p, "login"))],
            if p["token"].is_string() { link(&token_link("activate"), "设置密码", "Set password") } else { link("/", "登录", "Sign in") },
        ),
        ("enrolled", false) => (
            "Welcome".into(),
            vec![format!("Dear {},", s(p, "name")), format!("You were enrolled on {}. You can follow your status, subsidies, internship and placement online. Your login is {}.", s(p, "enrolled_on"), s(p, "login"))],
            if p["token"].is_string() { link(&token_link("activate"), "设置密码", "Set password") } else { link("/", "登录", "Sign in") },
        ),
        ("status_changed", true) => (
            "学籍状态变更".into(),
            vec![format!("您的学籍状态已更新为：{}（第 {} 学年），生效日期 {}。", state_zh(&s(p, "state")), s(p, "study_year"), s(p, "effective_date")), reason_line(p, true)],
            link("/me", "查看我的状态", "See my status"),
        ),
        ("status_changed", false) => (
            "Your status changed".into(),
            vec![format!("Your status is now: {} (study year {}), effective {}.", s(p, "state"), s(p, "study_year"), s(p, "effective_date")), reason_line(p, false)],
            link("/me", "查看我的状态", "See my status"),
        ),
        ("subsidy_paid", true) => (
            "补助已发放".into(),
            vec![format!("{} 元已于 {} 发放到您的银行卡（{}）。", yuan(p, "amount_fen"), s(p, "paid_on"), s(p, "item"))],
            link("/me", "查看补助明细", "See my subsidies"),
        ),
        ("subsidy_paid", false) => (
            "A subsidy was paid".into(),
            vec![format!("CNY {} was paid to your bank card on {} ({}).", yuan(p, "amount_fen"), s(p, "paid_on"), s(p, "item"))],
            link("/me", "查看补助明细", "See my subsidies"),
        ),
        ("subsidy_held", true) => (
            "补助暂缓发放".into(),
            vec![format!("您的 {} 笔补助暂缓发放。原因：{}", s(p, "count"), s(p, "reason_zh"))],
            link("/me", "查看补助明细", "See my subsidies"),
        ),
        ("subsidy_held", false) => (
            "Subsidies on hold".into(),
            vec![format!("{} of your subsidy payments are on hold. Why: {}", s(p, "count"), s(p, "reason_en"))],
            link("/me", "查看补助明细", "See my subsidies"),
        ),
        ("subsidy_failed", true) => (
            "补助发放失败".into(),
            vec![format!("{} 元未能发放到您的银行卡，银行说明：{}。请核对银行卡信息，款项将在下一批次重新发放。", yuan(p, "amount_fen"), s(p, "reason"))],
            link("/me", "查看补助明细", "See my subsidies"),
        ),
        ("subsidy_failed", false) => (
            "A subsidy payment failed".into(),
            vec![format!("CNY {} could not be paid to your bank card. The bank said: {}. Please check your card details; it will be paid again in the next batch.", yuan(p, "amount_fen"), s(p, "reason"))],
            link("/me", "查看补助明细", "See my subsidies"),
        ),
        ("placement_to_confirm", true) => (
            "请确认就业安置".into(),
            vec![format!("学校为 {} 提交了到贵单位的就业安置（岗位：{}，起始日期：{}），请确认或拒绝。", s(p, "student_name"), s(p, "position"), s(p, "start_date"))],
            link("/enterprise", "去确认", "Confirm"),
        ),
        ("placement_to_confirm", false) => (
            "A placement awaits your confirmation".into(),
            vec![format!("The school proposed {} for a position at your company ({}, from {}). Please confirm or decline.", s(p, "student_name"), s(p, "position"), s(p, "start_date"))],
            link("/enterprise", "去确认", "Confirm"),
        ),
        ("placement_reminder", true) => (
            "提醒：就业安置尚待确认".into(),
            vec![format!("{} 的就业安置已等待确认 {} 天。", s(p, "student_name"), s(p, "days"))],
            link("/enterprise", "去确认", "Confirm"),
        ),
        ("placement_reminder", false) => (
            "Reminder: a placement awaits your confirmation".into(),
            vec![format!("The placement of {} has waited {} days for your confirmation.", s(p, "student_name"), s(p, "days"))],
            link("/enterprise", "去确认", "Confirm"),
        ),
        ("placement_declined", true) => (
            "就业安置被拒绝".into(),
            vec![format!("{} 拒绝了 {} 的就业安置。原因：{}", s(p, "enterprise_name"), s(p, "student_name"), s(p, "reason"))],
            None,
        ),
        ("placement_declined", false) => (
            "A placement was declined".into(),
            vec![format!("{} declined the placement of {}. Reason: {}", s(p, "enterprise_name"), s(p, "student_name"), s(p, "reason"))],
            None,
        ),
        ("fare_due", true) => (
            "寒假路费即将到期".into(),
            vec![format!("贵单位资助的 {} 名学生的寒假往返路费（共 {} 元）将于 {} 到期，请按时支付并在平台确认。", s(p, "count"), yuan(p, "total_fen"), s(p, "due_date"))],
            link("/enterprise", "查看路费", "See fares"),
        ),
        ("fare_due", false) => (
            "Winter travel fares are due soon".into(),
            vec![format!("The winter travel fares of {} students you sponsor (CNY {} in all) are due on {}. Please pay them and confirm online.", s(p, "count"), yuan(p, "total_fen"), s(p, "due_date"))],
            link("/enterprise", "查看路费", "See fares"),
        ),
        ("follow_up_due", true) => (
            "请填写就业跟踪回访".into(),
            vec![format!("{} 入职 {} 个月的跟踪回访已到期，请确认其是否仍在贵单位工作。", s(p, "student_name"), s(p, "months"))],
            link("/enterprise", "去填写", "Record it"),
        ),
        ("follow_up_due", false) => (
            "A follow-up is due".into(),
            vec![format!("The {}-month follow-up of {} is due: is the graduate still employed with you?", s(p, "months"), s(p, "student_name"))],
            link("/enterprise", "去填写", "Record it"),
        ),
        ("internship_ending", true) => (
            "实习即将结束".into(),
            vec![format!("{} 在 {} 的实习将于 {} 结束，请安排实习评价。", s(p, "student_name"), s(p, "enterprise_name"), s(p, "end_date"))],
            None,
        ),
        ("internship_ending", false) => (
            "An internship ends soon".into(),
            vec![format!("The internship of {} at {} ends on {}. Please plan the evaluation.", s(p, "student_name"), s(p, "enterprise_name"), s(p, "end_date"))],
            None,
        ),
        ("batch_awaiting_approval", true) => (
            "发放批次待审核".into(),
            vec![format!("发放批次 {} 共 {} 笔、{} 元，等待另一位经办人审核。", s(p, "code"), s(p, "line_count"), yuan(p, "total_fen"))],
            link("/registrar/batches", "去审核", "Review"),
        ),
        ("batch_awaiting_approval", false) => (
            "A disbursement batch awaits approval".into(),
            vec![format!("Batch {} ({} payments, CNY {}) awaits approval by another user.", s(p, "code"), s(p, "line_count"), yuan(p, "total_fen"))],
            link("/registrar/batches", "去审核", "Review"),
        ),
        ("payments_failed", true) => (
            "部分补助发放失败".into(),
            vec![format!("批次 {} 的银行回单中有 {} 笔发放失败，这些款项已回到待发放队列。", s(p, "code"), s(p, "failed"))],
            link("/registrar/batches", "查看", "View"),
        ),
        ("payments_failed", false) => (
            "Some payments failed".into(),
            vec![format!("The bank's results for batch {} report {} failed payments; they are back in the queue for the next batch.", s(p, "code"), s(p, "failed"))],
            link("/registrar/batches", "查看", "View"),
        ),
        _ => return None,
    };
    Some(Composed {
        subject,
        paragraphs: paragraphs.into_iter().filter(|p| !p.is_empty()).collect(),
        link,
        lang: if zh { "zh" } else { "en" },
    })
}

fn state_zh(state: &str) -> &'static str {
    match state {
        "enrolled" => "在读",
        "suspended" => "休学",
        "withdrawn" => "退学",
        "expelled" => "开除学籍",
        "graduated" => "毕业",
        _ => "已更新",
    }
}

fn reason_line(p: &Value, zh: bool) -> String {
    match p["reason"].as_str() {
        Some(r) if !r.is_empty() => {
            if zh {
                format!("原因：{r}")
            } else {
                format!("Reason: {r}")
            }
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_exists_in_both_languages() {
        let p = serde_json::json!({ "name": "王芳", "token": "t", "amount_fen": 50000 });
        for t in TEMPLATES {
            for lang in ["zh", "en"] {
                let c = compose(t, lang, &p, "http://x").unwrap_or_else(|| panic!("{t} missing in {lang}"));
                assert!(!c.subject.is_empty() && !c.paragraphs.is_empty(), "{t}/{lang}");
            }
        }
        assert!(compose("nope", "zh", &p, "http://x").is_none());
    }

    #[test]
    fn chinese_is_the_default_and_links_carry_the_token() {
        let c = compose(
            "activation",
            "zh",
            &serde_json::json!({ "name": "王芳", "login": "13800001111", "token": "abc" }),
            "http://h:8080/",
        )
        .unwrap();
        assert_eq!(c.lang, "zh");
        assert!(c.subject.contains("激活"));
        assert_eq!(c.link.unwrap().1, "http://h:8080/activate?token=abc");
        assert_eq!(yuan(&serde_json::json!({ "a": 150000 }), "a"), "1500.00");
    }
}
