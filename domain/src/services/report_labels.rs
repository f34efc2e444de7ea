//! What the report exports (CSV, XLSX) call their rows: plain Chinese, never the codes the
//! JSON answers carry. A code without a label here is shown as it is, and the tests of
//! each export check every row has one.

/// The Chinese name of a funnel stage, a placement figure, a subsidy item or a payer.
pub fn zh(code: &str) -> Option<&'static str> {
    Some(match code {
        // Funnel stages (the `reached_year_N` stages go through `stage`).
        "recruited" => "报名",
        "verified" => "资格审核通过",
        "admitted" => "录取",
        "enrolled" => "入学",
        "interned" => "参加实习",
        "graduated" => "毕业",
        "placed" => "就业",
        "placed_at_intended" => "到意向企业就业",
        "employed_6_months" => "在岗满 6 个月",
        "employed_12_months" => "在岗满 12 个月",
        // Placement figures.
        "placed_other_enterprise" => "到其他企业就业",
        "placed_home_region" => "回生源地就业",
        "further_study" => "升学",
        "not_employed" => "未就业",
        "confirmed" => "企业已确认",
        "unconfirmed" => "企业未确认",
        "awaiting_confirmation" => "待企业确认",
        "declined" => "企业已拒绝",
        "left" => "已离职",
        "reached_6_months" => "满 6 个月应回访",
        "retained_6_months" => "6 个月仍在岗",
        "reached_12_months" => "满 12 个月应回访",
        "retained_12_months" => "12 个月仍在岗",
        "median_monthly_salary" => "月薪中位数",
        // Subsidy items and payers.
        "education_fund" => "教育经费",
        "living_allowance" => "生活补助",
        "travel_fare" => "往返路费",
        "fund" => "项目资金",
        "enterprise" => "意向企业",
        "total" => "合计",
        _ => return None,
    })
}

/// A row's label: its Chinese name, `升入第 N 学年` for `reached_year_N`, or the code
/// itself when it has none.
pub fn label(code: &str) -> String {
    if let Some(n) = code.strip_prefix("reached_year_") {
        return format!("升入第 {n} 学年");
    }
    zh(code).map_or_else(|| code.to_owned(), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn stages_items_and_payers_read_in_chinese() {
        assert_eq!(label("recruited"), "报名");
        assert_eq!(label("reached_year_3"), "升入第 3 学年");
        assert_eq!(label("education_fund"), "教育经费");
        assert_eq!(label("enterprise"), "意向企业");
        assert_eq!(label("something_new"), "something_new");
    }
}
