//! Every word the pages show, in Simplified Chinese and English. Templates name keys
//! only (`t("me.paid")`); a test scans the templates and fails on a key missing here.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The two languages of the pages; Chinese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The cookie and query-string value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The value of `<html lang>`.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// `zh` or `en` (and their regional forms).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The preferred language of an `Accept-Language` header: the first of zh/en by
    /// weight; None when it names neither.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut tags: Vec<(f32, usize, Lang)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, part)| {
                let mut bits = part.split(';');
                let lang = Lang::parse(bits.next()?)?;
                let q = bits
                    .filter_map(|b| b.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (q > 0.0).then_some((q, i, lang))
            })
            .collect();
        tags.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        tags.first().map(|t| t.2)
    }
}

/// What a missing key renders as: visible, and searched for by the tests.
pub const MISSING: &str = "⟦?⟧";

/// The text of `key` in `lang`.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match INDEX.get(key) {
        Some((zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => {
            tracing::warn!(key, "missing page string");
            MISSING
        }
    }
}

/// The text of `key` with `{name}` placeholders filled in.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(t(lang, key).to_owned(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
}

/// Whether the catalogue has `key`.
pub fn has(key: &str) -> bool {
    INDEX.contains_key(key)
}

static INDEX: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| CATALOGUE.iter().map(|(k, zh, en)| (*k, (*zh, *en))).collect());

/// key → (Simplified Chinese, English).
#[rustfmt::skip]
pub static CATALOGUE: &[(&str, &str, &str)] = &[
    ("app.name", "云贵班服务平台", "Yungui Class Portal"),
    ("app.footer", "长兴—织金东西部协作 · 定向就业班", "Changxing–Zhijin East–West collaboration · targeted-employment classes"),
    ("nav.other_lang", "English", "中文"),
    ("nav.other_lang_code", "en", "zh"),
    ("nav.logout", "退出", "Sign out"),
    ("nav.signed_in_as", "当前用户：", "Signed in as "),
    ("common.back_to_login", "返回登录", "Back to sign in"),
    ("common.not_yet", "暂无", "Not yet"),
    ("common.forbidden", "没有权限", "Not allowed"),
    ("login.title", "登录", "Sign in"),
    ("login.lead", "学生、学校老师和企业人员请用自己的账号登录。", "Students, school staff and enterprise staff sign in with their own account."),
    ("login.login", "账号", "Login"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    ("login.forgot", "忘记密码？", "Forgot your password?"),
    ("login.error", "账号或密码不正确，请再试一次。", "Wrong login or password. Please try again."),
    ("login.locked", "尝试次数太多，该账号暂时锁定，请 {n} 分钟后再试。", "Too many attempts: this login is locked for now. Try again in {n} minutes."),
    ("login.password_set", "密码已设置，请用新密码登录。", "Your password is set. Sign in with it."),
    ("login.signed_out", "您已安全退出。", "You are signed out."),
    ("login.expired", "登录已过期，请重新登录。", "Your session has ended. Please sign in again."),
    ("forgot.title", "找回密码", "Forgot password"),
    ("forgot.lead", "输入您的账号或邮箱，我们会把重置密码的链接发到您登记的邮箱。", "Enter your login or email address and we will email you a link to reset your password."),
    ("forgot.field", "账号或邮箱", "Login or email"),
    ("forgot.submit", "发送链接", "Send link"),
    ("forgot.sent", "如果该账号存在并登记了邮箱，重置链接已经发出，2 小时内有效。", "If the account exists and has an email address, a link is on its way. It works for 2 hours."),
    ("forgot.no_email", "没有登记邮箱？请联系学校老师帮您重置密码。", "No email address on file? Ask your school to reset your password."),
    ("forgot.again", "重新申请链接", "Ask for a new link"),
    ("password.activate_title", "设置密码", "Set your password"),
    ("password.activate_lead", "欢迎！请为您的账号设置密码。", "Welcome! Choose a password for your account."),
    ("password.reset_title", "重置密码", "Reset your password"),
    ("password.reset_lead", "请设置新密码。", "Choose a new password."),
    ("password.new", "新密码", "New password"),
    ("password.confirm", "再次输入新密码", "New password again"),
    ("password.rule", "至少 10 个字符。", "At least 10 characters."),
    ("password.submit", "保存密码", "Save password"),
    ("password.mismatch", "两次输入的密码不一致。", "The two passwords are not the same."),
    ("password.too_short", "密码至少需要 10 个字符。", "Passwords need at least 10 characters."),
    ("password.bad_link", "链接无效、已经用过或已过期，请重新申请。", "This link is invalid, already used or expired. Please ask for a new one."),
    ("me.title", "我的状态", "My status"),
    ("me.hello", "你好，", "Hello, "),
    ("me.as_of", "数据截至 {date}", "As of {date}"),
    ("me.year_of", "第 {n} 学年（共 {of} 学年）", "Year {n} of {of}"),
    ("me.studies", "学籍信息", "My studies"),
    ("me.programme", "项目", "Programme"),
    ("me.school", "学校", "School"),
    ("me.major", "专业", "Major"),
    ("me.class", "班级", "Class"),
    ("me.study_year", "学年", "Study year"),
    ("me.origin", "生源地", "Home county"),
    ("me.enterprise", "意向企业", "Intended employer"),
    ("me.money", "补助", "Subsidies"),
    ("me.paid", "已发放", "Paid so far"),
    ("me.next", "下一笔", "Next payment"),
    ("me.next_none", "目前没有待发放的款项。", "No payment is scheduled."),
    ("me.by_item", "分项明细", "By item"),
    ("me.item", "项目", "Item"),
    ("me.entitled", "应发", "Entitled"),
    ("me.paid_col", "已发", "Paid"),
    ("me.attention", "需要注意的款项", "Payments that need attention"),
    ("me.due", "应发日期", "Due"),
    ("me.timeline", "我的经历", "My timeline"),
    ("me.internship", "实习", "Internship"),
    ("me.internship_none", "还没有实习安排。最后一学年开始前，学校会和企业一起安排。", "No internship yet. Your school arranges it with the enterprise before your last year."),
    ("me.placement", "就业", "Job after graduation"),
    ("me.placement_none", "还没有就业记录。毕业时学校会优先推荐你到意向企业工作。", "No job recorded yet. At graduation your school first recommends you to your intended employer."),
    ("me.position", "岗位", "Position"),
    ("me.dates", "时间", "Dates"),
    ("me.employer", "单位", "Employer"),
    ("me.salary", "月薪", "Monthly pay"),
    ("me.supervisor", "企业指导老师", "Supervisor"),
    ("me.outcome", "去向", "Outcome"),
    ("me.contact", "有问题找谁", "Who to contact"),
    ("me.contact_text", "补助、学籍或实习有疑问，请联系班主任或学校学籍管理老师：", "Questions about money, your studies or your internship? Ask your class teacher or the registrar at:"),
    ("state.enrolled", "在读", "Studying"),
    ("state.suspended", "休学", "Suspended"),
    ("state.withdrawn", "已退学", "Withdrawn"),
    ("state.expelled", "已开除学籍", "Expelled"),
    ("state.graduated", "已毕业", "Graduated"),
    ("item.education_fund", "教育经费", "Education funds"),
    ("item.living_allowance", "生活补助", "Living allowance"),
    ("item.travel_fare", "往返路费", "Round-trip fare"),
    ("inst.scheduled", "待发放", "Scheduled"),
    ("inst.held", "暂缓发放", "Held"),
    ("inst.cancelled", "已取消", "Cancelled"),
    ("inst.batched", "发放中", "Being paid"),
    ("inst.paid", "已发放", "Paid"),
    ("inst.failed", "支付失败", "Payment failed"),
    ("work.planned", "已安排", "Planned"),
    ("work.active", "进行中", "In progress"),
    ("work.completed", "已完成", "Completed"),
    ("work.terminated", "已终止", "Ended early"),
    ("work.proposed", "待企业确认", "Waiting for the employer"),
    ("work.confirmed", "企业已确认", "Confirmed by the employer"),
    ("work.declined", "企业未接收", "Declined by the employer"),
    ("work.recorded", "已登记", "Recorded"),
    ("work.left", "已离职", "Left"),
    ("outcome.intended_enterprise", "到意向企业就业", "Working at the intended employer"),
    ("outcome.other_enterprise", "到其他企业就业", "Working at another employer"),
    ("outcome.further_study", "继续升学", "Further study"),
    ("outcome.home_region", "回家乡就业", "Working in the home region"),
    ("outcome.not_employed", "暂未就业", "Not employed yet"),
    ("timeline.applied", "提交报名", "Applied"),
    ("timeline.verified", "资格审核通过", "Eligibility verified"),
    ("timeline.admitted", "被录取", "Admitted"),
    ("timeline.enroll", "入学报到", "Enrolled"),
    ("timeline.advance", "升入第 {n} 学年", "Moved up to year {n}"),
    ("timeline.suspend", "休学", "Studies suspended"),
    ("timeline.resume", "复学", "Resumed studies"),
    ("timeline.withdraw", "退学", "Left the programme"),
    ("timeline.expel", "开除学籍", "Expelled"),
    ("timeline.transfer", "转专业或转学", "Changed major or school"),
    ("timeline.graduate", "毕业", "Graduated"),
    ("timeline.reverse", "更正了一条记录", "A record was corrected"),
    ("timeline.today", "今天", "Today"),
    ("timeline.viewing", "查看的日期", "The day you are viewing"),
    ("staff.registrar_title", "学籍与补助管理", "Registrar"),
    ("staff.admin_title", "项目管理", "Administrator"),
    ("staff.origin_title", "生源地工作台", "Origin county"),
    ("staff.enterprise_title", "企业工作台", "Enterprise"),
    ("staff.hello", "您好，", "Hello, "),
    ("staff.students", "学生名单", "Students"),
    ("staff.enterprise_students", "与贵企业相关的学生", "Students linked to your enterprise"),
    ("staff.search", "按姓名查找", "Search by name"),
    ("staff.search_submit", "查找", "Search"),
    ("staff.total", "共 {n} 人", "{n} students"),
    ("staff.year_n", "第 {n} 学年", "Year {n}"),
    ("staff.none", "没有找到学生。", "No students found."),
    ("staff.page", "第 {p} / {n} 页", "Page {p} of {n}"),
    ("staff.prev", "上一页", "Previous"),
    ("staff.next", "下一页", "Next"),
    ("staff.api_docs", "接口文档（API）", "API documentation"),
    ("staff.coming", "统计图表、名单导入和发放批次页面即将上线；现在可以通过接口使用这些功能。", "Dashboards, list imports and payment batches are coming to these pages; they work through the API today."),
    ("col.name", "姓名", "Name"),
    ("col.national_id", "身份证号", "National ID"),
    ("col.class", "班级", "Class"),
    ("col.year", "学年", "Year"),
    ("col.state", "状态", "Status"),
    ("ent.placements", "待确认的就业安排", "Placements waiting for you"),
    ("ent.placements_lead", "学校推荐以下毕业生到贵企业工作。确认后，学校会在 6 个月和 12 个月时请您回访。", "The school proposes these graduates for a job with you. Once you confirm, you will be asked to follow up at 6 and 12 months."),
    ("ent.placements_none", "目前没有等待您确认的就业安排。", "No placement is waiting for you."),
    ("ent.start", "入职日期", "Start date"),
    ("ent.confirm", "确认接收", "Confirm"),
    ("ent.decline", "不接收…", "Decline…"),
    ("ent.decline_reason", "不接收的原因（学校会看到）", "Why not? (the school will see this)"),
    ("ent.decline_submit", "确认不接收", "Decline the placement"),
    ("ent.fares", "待确认的往返路费", "Travel fares to confirm"),
    ("ent.fares_none", "没有待确认的路费。", "No travel fare is outstanding."),
    ("ent.fares_total", "共 {n} 笔，合计 {amount}", "{n} fares, {amount} in all"),
    ("ent.paid_on", "支付日期", "Paid on"),
    ("ent.reference", "转账或收据编号", "Transfer or receipt number"),
    ("ent.fare_open", "登记支付…", "Record payment…"),
    ("ent.fare_submit", "确认已支付", "Confirm payment"),
    ("ent.follow_ups", "到期的就业回访", "Follow-ups due"),
    ("ent.follow_ups_lead", "请告诉学校这些员工是否仍在贵企业工作。", "Please tell the school whether these employees still work for you."),
    ("ent.follow_ups_none", "目前没有到期的回访。", "No follow-up is due."),
    ("ent.follow_up", "回访", "Follow-up"),
    ("ent.months", "入职 {n} 个月", "{n} months in"),
    ("ent.overdue", "已逾期", "Overdue"),
    ("ent.done_confirmed", "已确认接收，谢谢！", "Placement confirmed. Thank you!"),
    ("ent.done_declined", "已告知学校您不接收该毕业生。", "The school has been told you declined."),
    ("ent.done_fare_paid", "路费支付已记录。", "The fare payment is recorded."),
    ("ent.failed", "未能保存：", "Not saved:"),
    ("ent.evaluations", "待评价的实习", "Internships to evaluate"),
    ("ent.evaluations_lead", "实习已结束，请为学生的实习表现打分（1–5 分），学校和学生都会看到。", "These internships have ended: please rate each student's work from 1 to 5. The school and the student will see it."),
    ("ent.evaluations_none", "没有待评价的实习。", "No internship is waiting for your evaluation."),
    ("ent.evaluate_open", "评价…", "Evaluate…"),
    ("ent.rating", "评分（1–5）", "Rating (1–5)"),
    ("ent.comment", "评语（可不填）", "Comment (optional)"),
    ("ent.evaluate_submit", "提交评价", "Submit the evaluation"),
    ("ent.done_evaluated", "实习评价已提交，谢谢！", "The evaluation is recorded. Thank you!"),
    ("dash.cohort", "届别", "Cohort"),
    ("dash.all_cohorts", "全部届别", "All cohorts"),
    ("dash.show", "查看", "Show"),
    ("dash.funnel", "培养与就业漏斗", "From recruitment to employment"),
    ("dash.funnel_lead", "每一步的人数；数据为本校范围。", "How many people reached each step, for your school."),
    ("dash.money", "补助金额", "Subsidy money"),
    ("dash.owed", "应发", "Owed"),
    ("dash.paid", "已发放", "Paid"),
    ("dash.held", "暂缓发放", "Held"),
    ("dash.failed", "支付失败", "Failed"),
    ("dash.reports", "下载报表（CSV）", "Download reports (CSV)"),
    ("dash.report_funnel", "培养与就业漏斗", "Recruitment-to-employment funnel"),
    ("dash.report_subsidies", "补助发放情况（按项目和支付方）", "Subsidies by item and payer"),
    ("dash.report_placements", "就业与留任情况", "Placements and retention"),
    ("dash.stage.recruited", "报名", "Applied"),
    ("dash.stage.verified", "资格审核通过", "Eligibility verified"),
    ("dash.stage.admitted", "录取", "Admitted"),
    ("dash.stage.enrolled", "入学", "Enrolled"),
    ("dash.stage.reached_year", "升入第 {n} 学年", "Reached year {n}"),
    ("dash.stage.interned", "参加实习", "Interned"),
    ("dash.stage.graduated", "毕业", "Graduated"),
    ("dash.stage.placed", "就业", "Employed"),
    ("dash.stage.placed_at_intended", "到意向企业就业", "At the intended employer"),
    ("dash.stage.employed_6_months", "在岗满 6 个月", "Still employed at 6 months"),
    ("dash.stage.employed_12_months", "在岗满 12 个月", "Still employed at 12 months"),
    ("import.title", "导入报名名单", "Import applications"),
    ("import.lead", "先检查文件：系统逐行核对并列出每个有问题的行；全部无误后再导入。", "Check the file first: every row is verified and each row with a problem is listed; import once nothing is wrong."),
    ("import.file", "名单文件（CSV）", "The list (a CSV file)"),
    ("import.file_hint", "用表格软件另存为 CSV（UTF-8 或 GBK 均可）再选择该文件；第一行是列名（中文或英文均可）。", "Save the sheet as CSV (UTF-8 or GBK) and choose the file; the first line names the columns (Chinese or English)."),
    ("import.check", "检查", "Check"),
    ("import.import", "导入", "Import"),
    ("import.report_check", "检查结果", "Check result"),
    ("import.report_done", "导入结果", "Import result"),
    ("import.checked", "共 {rows} 行：{valid} 行可以导入，{unchanged} 行已存在，{invalid} 行有问题。", "{rows} rows: {valid} ready to import, {unchanged} already there, {invalid} with problems."),
    ("import.done", "共 {rows} 行：新增 {created} 份报名，{unchanged} 行已存在，{invalid} 行有问题。", "{rows} rows: {created} applications added, {unchanged} already there, {invalid} with problems."),
    ("import.fix_first", "请在表格中改正以下各行后重新检查；有问题时不会导入任何一行。", "Correct these rows in the sheet and check again; nothing is imported while a row has a problem."),
    ("import.line", "第 {n} 行", "Line {n}"),
    ("import.row_invalid", "有问题", "Problem"),
    ("import.row_created", "已导入", "Imported"),
    ("import.row_valid", "可以导入", "Ready"),
    ("import.row_unchanged", "已存在", "Already there"),
    ("import.warning", "请留意：", "Note: "),
    ("import.no_cohort", "请选择届别。", "Choose a cohort."),
    ("import.no_file", "请先选择名单文件。", "Choose the list's file first."),
    ("import.too_big", "文件太大（最多 {mib} MiB），请分成几个文件导入。", "The file is too large ({mib} MiB at most); split it into several."),
    ("import.file_refused", "无法读取该文件：", "The file cannot be read:"),
    // File upload.
    ("import.kept", "已检查的文件 {name} 会随“导入”一起提交，无需重新选择；选择其他文件则检查新文件。", "The checked file {name} goes with Import; there is no need to choose it again. Choose another file to check that one instead."),
    ("batch.results_no_file", "请选择银行回执文件。", "Choose the bank's result file."),
    ("batch.results_too_big", "文件太大（最多 {mib} MiB）。", "The file is too large ({mib} MiB at most)."),
    ("dash.import", "导入报名名单", "Import applications"),
    ("batch.title", "补助发放批次", "Payment batches"),
    ("batch.lead", "一位老师生成批次，另一位老师（或管理员）审核后才能导出银行文件。", "One person makes a batch; another registrar (or an admin) approves it before the bank file can be exported."),
    ("batch.cutoff", "截止日期", "Cut-off date"),
    ("batch.create", "生成批次", "Make a batch"),
    ("batch.list", "批次列表", "Batches"),
    ("batch.none", "还没有发放批次。", "No batch yet."),
    ("batch.amount", "金额", "Amount"),
    ("batch.lines", "{n} 笔", "{n} payments"),
    ("batch.notice_until", "公示截止", "Public notice until"),
    ("batch.yours", "这个批次是您生成的，须由另一位老师审核。", "You made this batch, so someone else must approve it."),
    ("batch.approve", "审核通过", "Approve"),
    ("batch.download", "下载银行文件", "Download the bank file"),
    ("batch.results_open", "导入银行回执…", "Import the bank's results…"),
    ("batch.paid_on", "银行支付日期", "Paid by the bank on"),
    ("batch.results_file", "银行回执文件（CSV）", "The bank's result file (CSV)"),
    ("batch.results_submit", "导入回执", "Import results"),
    ("batch.results", "回执已导入：成功 {paid} 笔，失败 {failed} 笔，无变化 {unchanged} 笔，有问题 {invalid} 行；还有 {pending} 笔等待回执。", "Results imported: {paid} paid, {failed} failed, {unchanged} unchanged, {invalid} rows with problems; {pending} still waiting."),
    ("batch.done_created", "批次已生成，请另一位老师审核。", "The batch is made; ask someone else to approve it."),
    ("batch.done_approved", "批次已审核通过，可以下载银行文件。", "The batch is approved; the bank file can be downloaded."),
    ("batch.maker_cannot_approve", "不能审核自己生成的批次：请另一位老师或管理员审核。", "You cannot approve a batch you made: another registrar or an admin must approve it."),
    ("batch.state.open", "待审核", "Waiting for approval"),
    ("batch.state.approved", "已审核", "Approved"),
    ("batch.state.exported", "已导出", "Exported"),
    ("batch.state.completed", "已完成", "Completed"),
    ("batch.state.cancelled", "已取消", "Cancelled"),
    ("dash.batches", "补助发放批次", "Payment batches"),
    // Staff records: student search and file.
    ("nav.home", "返回首页", "Home"),
    ("search.title", "查找学生", "Find a student"),
    ("search.any", "不限", "Any"),
    ("search.open", "查找学生（按姓名、状态、学年、届别、专业）", "Find a student (by name, status, year, cohort, major)"),
    ("file.title", "学生档案", "Student file"),
    ("file.done_transition", "已记录，学生的状态和补助计划已更新。", "Recorded: the student's status and subsidy schedule are up to date."),
    ("file.identity", "身份与联系方式", "Identity and contact"),
    ("file.masked", "身份证号和银行卡号只显示部分数字；查看完整号码须通过接口说明理由，并记入审计日志。", "ID and bank card numbers are partly hidden; the full numbers are shown only through the API, for a reason that is audited."),
    ("file.gender", "性别", "Gender"),
    ("file.birth_date", "出生日期", "Date of birth"),
    ("file.phone", "手机", "Mobile"),
    ("file.email", "邮箱", "Email"),
    ("file.guardian", "监护人", "Guardian"),
    ("file.guardian_phone", "监护人电话", "Guardian's phone"),
    ("file.bank_card", "银行卡", "Bank card"),
    ("file.enrolled_on", "入学日期", "Enrolled on"),
    ("file.history", "学籍变动记录", "History"),
    ("file.reversed", "已撤销", "Reversed"),
    ("file.undoes", "撤销了 {date} 的“{what}”", "Undid “{what}” of {date}"),
    ("file.reason", "原因：", "Reason: "),
    ("file.by", "记录人：", "Recorded by "),
    ("file.system", "系统", "the system"),
    ("file.change_open", "登记学籍变动…", "Record a change…"),
    ("file.action", "变动", "Change"),
    ("file.action.advance", "升入下一学年", "Move up a year"),
    ("file.action.suspend", "休学", "Suspend"),
    ("file.action.resume", "复学", "Resume"),
    ("file.action.withdraw", "退学", "Withdraw"),
    ("file.action.expel", "开除学籍", "Expel"),
    ("file.action.graduate", "毕业", "Graduate"),
    ("file.action.reverse", "撤销最近一条记录", "Undo the latest record"),
    ("file.effective_date", "生效日期", "Takes effect on"),
    ("file.reason_field", "原因（休学、退学、开除和撤销必填）", "Reason (required to suspend, withdraw, expel or undo)"),
    ("file.change_hint", "补助计划会随之重新计算；转专业请通过接口办理。", "The subsidy schedule is recalculated; transfers go through the API."),
    ("file.change_submit", "确认登记", "Record it"),
    ("file.no_installments", "还没有补助计划。", "No subsidy schedule yet."),
    ("file.no_internship", "还没有实习安排。", "No internship yet."),
    ("file.no_placement", "还没有就业记录。", "No job recorded yet."),
    ("gender.male", "男", "Male"),
    ("gender.female", "女", "Female"),
    // The admin pages.
    ("admin.lead", "账号、项目补助政策和审计日志在这里管理；学籍、导入和发放与学校老师共用同一套页面。", "Accounts, programme subsidy policies and the audit log are managed here; records, imports and payments use the same pages as registrars."),
    ("admin.section_admin", "管理", "Administration"),
    ("admin.section_records", "学籍与补助", "Records and money"),
    ("admin.users", "账号管理", "Accounts"),
    ("admin.users_hint", "新建、停用账号，发送重置密码邮件", "Create and deactivate accounts, send password resets"),
    ("admin.programmes", "项目与补助政策", "Programmes and subsidy policies"),
    ("admin.programmes_hint", "查看各版本政策，新增政策版本", "See every policy version, add a new one"),
    ("admin.audit", "审计日志", "Audit log"),
    ("admin.audit_hint", "谁在什么时候改了什么", "Who changed what, and when"),
    ("admin.dashboard", "统计与报表", "Dashboard and reports"),
    ("admin.back", "管理首页", "Admin home"),
    ("role.admin", "管理员", "Administrator"),
    ("role.registrar", "学校学籍老师", "School registrar"),
    ("role.origin_officer", "生源地工作人员", "Origin county officer"),
    ("role.enterprise", "企业人员", "Enterprise staff"),
    ("role.student", "学生", "Student"),
    ("users.new", "新建账号", "New account"),
    ("users.display_name", "姓名（显示名）", "Name shown"),
    ("users.role", "角色", "Role"),
    ("users.anchor_hint", "学校老师选学校，生源地工作人员选县，企业人员选企业，学生填学生编号；其余留空。", "Registrars need a school, origin officers a county, enterprise staff an enterprise, students a student id; leave the rest empty."),
    ("users.anchor_school", "学校", "School"),
    ("users.anchor_origin", "生源地", "Origin county"),
    ("users.anchor_enterprise", "企业", "Enterprise"),
    ("users.anchor_student", "学生编号", "Student id"),
    ("users.password", "初始密码（可不填）", "First password (optional)"),
    ("users.password_hint", "不填时，系统会给登记的邮箱发送设置密码的链接。", "Leave it empty to email the user a link to choose one."),
    ("users.create", "创建账号", "Create account"),
    ("users.list", "全部账号", "All accounts"),
    ("users.all_roles", "全部角色", "All roles"),
    ("users.total", "共 {n} 个账号", "{n} accounts"),
    ("users.active", "正常", "Active"),
    ("users.inactive", "已停用", "Deactivated"),
    ("users.no_password", "尚未设置密码", "No password yet"),
    ("users.deactivate", "停用", "Deactivate"),
    ("users.activate", "重新启用", "Reactivate"),
    ("users.reset", "发送重置密码邮件", "Send password reset"),
    ("users.done_created", "账号 {login} 已创建。", "Account {login} is created."),
    ("users.done_deactivated", "账号 {login} 已停用，已登录的会话立即失效。", "Account {login} is deactivated; its sessions end at once."),
    ("users.done_activated", "账号 {login} 已重新启用。", "Account {login} is active again."),
    ("users.done_reset_sent", "重置密码邮件已发给 {login}，链接 2 小时内有效。", "A password reset email is on its way to {login}; the link works for 2 hours."),
    ("policy.title", "补助政策", "Subsidy policy"),
    ("policy.lead", "政策按版本管理：新版本只适用于生效日期之后开始的届别，已开始的届别和已生成的补助计划不变。", "Policies have versions: a new one applies to cohorts starting on or after its date; cohorts already started and their schedules do not change."),
    ("policy.no_programmes", "还没有项目。", "No programme yet."),
    ("policy.study_years", "学制 {n} 年", "{n} study years"),
    ("policy.versions", "政策版本", "Versions"),
    ("policy.none", "还没有政策版本（使用默认标准）。", "No version yet (the defaults apply)."),
    ("policy.version", "第 {n} 版", "Version {n}"),
    ("policy.effective_from", "生效日期", "Applies from"),
    ("policy.notice_days", "公示天数（工作日，0–30）", "Public notice (working days, 0–30)"),
    ("policy.notice_days_n", "公示 {n} 个工作日", "{n} working days' notice"),
    ("policy.yearly", "每学年金额", "Per study year"),
    ("policy.yearly_yuan", "每学年金额（元）", "per study year (yuan)"),
    ("policy.payer", "支付方", "Paid by"),
    ("policy.payer.fund", "项目资金", "Programme fund"),
    ("policy.payer.enterprise", "意向企业", "Intended enterprise"),
    ("policy.schedule", "发放日期（月/日）", "Due (month/day)"),
    ("policy.new", "新增政策版本", "Add a policy version"),
    ("policy.new_hint", "以最新版本的项目和发放日期为基础，填写新的金额和生效日期。", "Starts from the latest version's items and dates: give the new amounts and the date it applies from."),
    ("policy.note", "说明", "Note"),
    ("policy.create", "保存新版本", "Save the new version"),
    ("policy.done", "新的政策版本已保存。", "The new policy version is saved."),
    ("audit.lead", "所有重要改动都记在这里，不能修改或删除。", "Every change that matters is recorded here and can never be edited or deleted."),
    ("audit.actor", "操作人（账号）", "Actor (login)"),
    ("audit.action", "操作", "Action"),
    ("audit.entity", "对象类型", "Entity type"),
    ("audit.entity_id", "对象编号", "Entity id"),
    ("audit.from", "起始日期", "From"),
    ("audit.to", "截止日期", "To"),
    ("audit.total", "共 {n} 条", "{n} events"),
    ("audit.none", "没有符合条件的记录。", "No event matches."),
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// Every `t("…")` key in a template text.
    fn keys_in(text: &str) -> Vec<String> {
        text.match_indices("t(\"")
            .filter(|(i, _)| {
                // `t(` alone, not the tail of another name such as `list(`.
                *i == 0 || !text.as_bytes()[i - 1].is_ascii_alphanumeric() && text.as_bytes()[i - 1] != b'_'
            })
            .filter_map(|(i, m)| text[i + m.len()..].split_once('"').map(|(k, _)| k.to_owned()))
            .collect()
    }

    #[test]
    fn every_key_a_template_uses_is_in_the_catalogue_in_both_languages() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("templates folder") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("template text");
            for key in keys_in(&text) {
                seen += 1;
                let (zh, en) = INDEX
                    .get(key.as_str())
                    .copied()
                    .unwrap_or_else(|| panic!("{} uses t(\"{key}\"), which is not in the catalogue", path.display()));
                assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{key} is empty in one language");
            }
        }
        assert!(seen > 20, "the scan found only {seen} keys: is the pattern still right?");
    }

    #[test]
    fn keys_are_unique_and_every_text_is_filled_in() {
        let mut keys = HashSet::new();
        for (k, zh, en) in CATALOGUE {
            assert!(keys.insert(*k), "{k} appears twice");
            assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{k} is empty in one language");
        }
    }

    #[test]
    fn placeholders_match_across_languages() {
        for (k, zh, en) in CATALOGUE {
            let names = |s: &str| {
                let mut v: Vec<String> =
                    s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(n, _)| n.to_owned())).collect();
                v.sort();
                v
            };
            assert_eq!(names(zh), names(en), "{k}");
        }
    }

    #[test]
    fn accept_language_picks_the_heaviest_of_chinese_and_english() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept_language("fr;q=1, en;q=0.5, zh;q=0.7"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept_language("de, fr"), None);
        assert_eq!(Lang::from_accept_language("en;q=0"), None);
    }

    #[test]
    fn a_missing_key_is_visible_and_placeholders_fill_in() {
        assert_eq!(t(Lang::En, "no.such.key"), MISSING);
        assert_eq!(tf(Lang::En, "me.year_of", &[("n", "2"), ("of", "3")]), "Year 2 of 3");
        assert_eq!(tf(Lang::Zh, "staff.total", &[("n", "7")]), "共 7 人");
    }
}
