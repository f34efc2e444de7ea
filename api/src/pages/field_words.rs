//! Field problems in the page's language. The domain names every field problem by a
//! stable machine code and adds an English sentence with the details; on a Chinese
//! page the field and the code are put into Chinese ("身份证号：校验位不正确"), and an
//! English page keeps the domain's sentence. A code without a Chinese phrase here falls
//! back to the English sentence, so nothing is ever blank.

use yungui_domain::FieldError;
use yungui_domain::import_csv::Column;

use super::i18n::Lang;

/// One field problem as a line for people: "<field>: <what is wrong>".
pub fn field_problem(lang: Lang, f: &FieldError) -> String {
    let (field, what) = parts(lang, f);
    match lang {
        Lang::En => format!("{field}: {what}"),
        Lang::Zh => format!("{field}：{what}"),
    }
}

/// The field's name and what is wrong with it, each in the page's language.
pub fn parts(lang: Lang, f: &FieldError) -> (String, String) {
    match lang {
        Lang::En => (f.field.clone(), f.message.clone()),
        Lang::Zh => (field_label(&f.field).to_owned(), code_phrase(&f.code).unwrap_or(&f.message).to_owned()),
    }
}

/// Several field problems on one line, separated the page's way.
pub fn field_problems(lang: Lang, fields: &[FieldError]) -> String {
    let sep = if lang == Lang::Zh { "；" } else { "; " };
    fields.iter().map(|f| field_problem(lang, f)).collect::<Vec<_>>().join(sep)
}

/// The Chinese name of a field: the import columns by their Excel headers, the form
/// fields by the words on the forms, anything else as it is.
pub fn field_label(field: &str) -> &str {
    if let Some(c) = Column::from_header(field) {
        return c.chinese();
    }
    match field {
        "reason" => "原因",
        "rating" => "评分",
        "comment" => "评语",
        "effective_date" | "effective_from" => "生效日期",
        "display_name" => "姓名",
        "login" => "登录名",
        "password" => "密码",
        "language" => "语言",
        "role" => "角色",
        "school_id" => "学校",
        "major_id" => "专业",
        "origin_id" => "生源地",
        "cohort_id" => "批次",
        "programme_id" => "项目",
        "enterprise_id" => "企业",
        "student_id" => "学生",
        "start_date" => "开始日期",
        "end_date" => "结束日期",
        "starts_on" => "开学日期",
        "left_on" => "离职日期",
        "position" => "岗位",
        "kind" => "类型",
        "supervisor_name" => "指导人",
        "supervisor_phone" => "指导人电话",
        "monthly_pay_fen" => "实习月薪",
        "probation_wage_fen" => "试用期工资",
        "monthly_salary_fen" => "月薪",
        "cutoff_date" => "截止日期",
        "notice_days" => "公示天数",
        "items" => "补助项目",
        "months" => "月数",
        "amount" | "amount_fen" => "金额",
        "line_id" => "行号",
        "status" => "状态",
        "bank_reference" => "银行流水号",
        "reference" => "参考号",
        "file" => "文件",
        "from_study_year" => "当前学年",
        "application_ids" => "报名",
        "student_ids" => "学生",
        "fare_ids" => "路费",
        "paid_on" => "支付日期",
        "state" => "状态",
        "enrolled_on" => "入学日期",
        "class_name" => "班级",
        "action" => "操作",
        "page" => "页码",
        "limit" => "每页条数",
        other => other,
    }
}

/// What a machine code means, in Chinese.
pub fn code_phrase(code: &str) -> Option<&'static str> {
    Some(match code {
        "required" => "必填",
        "invalid_format" => "格式不正确",
        "invalid_length" => "长度不正确",
        "invalid_checksum" => "校验位不正确，请核对号码",
        "invalid_date" => "日期无效",
        "invalid_number" => "不是有效的数字",
        "invalid_value" => "取值无效",
        "out_of_range" => "超出允许范围",
        "overflow" => "数值过大",
        "negative" => "不能为负数",
        "not_positive" => "必须大于零",
        "too_long" => "太长",
        "too_short" => "太短",
        "too_many" => "一次太多，请分批办理",
        "not_allowed" => "不允许",
        "unchanged" => "没有变化",
        "unknown" => "不存在",
        "unknown_major" => "不是本批次的专业",
        "unknown_enterprise" => "不是已登记的合作企业",
        "unknown_school" => "不是已登记的学校",
        "unknown_origin" => "不是已登记的生源地",
        "unknown_cohort" => "不是已登记的批次",
        "unknown_line" => "不是本批次付款文件中的行",
        "end_before_start" => "结束日期早于开始日期",
        "duplicate" | "duplicate_in_file" => "与文件中另一行重复",
        "duplicate_person" => "此人已有申请或学籍",
        "already_enrolled" => "已经入学",
        "id_origin_mismatch" => "身份证地址码与生源地不一致（请核对）",
        "invalid_query" => "查询参数无效",
        "in_future" => "日期不能晚于今天",
        "installment_changed" => "这笔款项已经付过",
        "already_resolved" => "结果已经记录过，每行只记录一次",
        "committed_major_missing" => "该专业有企业承诺名额，请一并修改承诺",
        "below_admitted" => "不能少于已录取的人数",
        "before_start" => "早于入职日期",
        "before_active_agreement" => "不能早于现有协议的签订日期",
        "no_intended_enterprise" => "该生没有意向企业",
        "not_intended_enterprise" => "不是该生的意向企业，请选择“其他企业”",
        "is_intended_enterprise" => "就是该生的意向企业，请选择“意向企业”",
        "one_employer" => "请填写合作企业或非合作单位名称，二者选一",
        "before_previous_event" => "生效日期不能早于上一条记录",
        "out_of_scope" => "只能为本县招生",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fe(field: &str, code: &str, message: &str) -> FieldError {
        FieldError::new(field, code, message)
    }

    #[test]
    fn chinese_pages_name_the_column_by_its_excel_header_and_the_problem_in_chinese() {
        let f = fe("national_id", "invalid_checksum", "the check character should be 7");
        assert_eq!(field_problem(Lang::Zh, &f), "身份证号：校验位不正确，请核对号码");
        assert_eq!(field_problem(Lang::En, &f), "national_id: the check character should be 7");
    }

    #[test]
    fn an_unknown_code_keeps_the_domains_sentence_and_an_unknown_field_its_name() {
        let f = fe("capacities[2].capacity", "something_new", "is odd");
        assert_eq!(field_problem(Lang::Zh, &f), "capacities[2].capacity：is odd");
    }

    #[test]
    fn several_problems_are_joined_the_languages_way() {
        let fields = [fe("reason", "required", "a reason is required"), fe("end_date", "invalid_date", "no such day")];
        assert_eq!(field_problems(Lang::Zh, &fields), "原因：必填；结束日期：日期无效");
        assert_eq!(field_problems(Lang::En, &fields), "reason: a reason is required; end_date: no such day");
    }

    #[test]
    fn every_code_the_domain_gives_field_problems_has_a_chinese_phrase() {
        // The codes are read from the domain's source, so a new code without a phrase
        // here fails this test instead of showing English on a Chinese page.
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../domain/src");
        let mut missing = Vec::new();
        let mut seen = 0;
        for file in rust_files(std::path::Path::new(root)) {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for code in field_codes(&text) {
                seen += 1;
                if code_phrase(&code).is_none() && !missing.contains(&code) {
                    missing.push(code);
                }
            }
        }
        assert!(seen > 50, "only {seen} field codes found in the domain's source");
        assert!(missing.is_empty(), "field codes without a Chinese phrase: {missing:?}");
    }

    fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(rust_files(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
        out
    }

    /// The second string argument of `FieldError::new(…)`, `DomainError::invalid(…)` and
    /// the first of `ValueError::new(…)`: the shapes the domain builds field problems in.
    fn field_codes(text: &str) -> Vec<String> {
        let mut codes = Vec::new();
        for (call, skip) in [("FieldError::new(", 1), ("::invalid(", 1), ("ValueError::new(", 0)] {
            for (at, _) in text.match_indices(call) {
                let args = &text[at + call.len()..];
                let end = args.find(')').unwrap_or(args.len());
                let quoted: Vec<&str> = args[..end].split('"').skip(1).step_by(2).collect();
                // The code is the first quoted argument after the field (if the field is quoted).
                let field_quoted = args.trim_start().starts_with('"');
                let index = if skip == 1 && field_quoted { 1 } else { 0 };
                if let Some(code) = quoted.get(index)
                    && code.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    && !code.is_empty()
                {
                    codes.push((*code).to_owned());
                }
            }
        }
        codes
    }
}
