//! Refusals in Chinese: every conflict code the domain answers with has a sentence here
//! for people reading Chinese pages, bulk reports and messages (the English sentence
//! travels with the error itself). A unit test reads the domain's source and fails on a
//! code without one.

/// The Chinese sentence for a conflict code.
pub fn zh(code: &str) -> Option<&'static str> {
    Some(match code {
        "illegal_transition" => "当前状态不允许此操作",
        "capacity_full" => "该专业名额已满，可列入候补或录取到其他专业",
        "duplicate_person" => "此人已有其他有效的报名或学籍",
        "already_enrolled" => "该报名已经办理入学",
        "concurrent_change" => "该记录刚被他人修改，请刷新后重试",
        "concurrent_import" => "另一份名单正在导入，请稍后再试",
        "login_taken" => "该登录名已被使用",
        "code_taken" => "该代码已被使用",
        "uscc_taken" => "该统一社会信用代码已登记",
        "cohort_exists" => "该项目这一年的届别已经存在",
        "user_inactive" => "该账号已停用",
        "own_account" => "不能对自己的账号执行此操作",
        "in_use" => "已被使用，不能删除",
        "already_seeded" => "演示数据已经载入",
        "already_recorded" => "已经登记过了",
        "already_paid" => "已经发放，不能再修改",
        "already_on_hold" => "已经暂停发放",
        "not_on_hold" => "该款项没有被暂停",
        "already_evaluated" => "已经评价过了",
        "installment_settled" => "该期款项已经结清",
        "nothing_to_pay" => "没有到期应发的款项",
        "no_bank_card" => "没有登记银行卡",
        "notice_period" => "公示期未满，不能审批",
        "maker_cannot_approve" => "制单人不能审批自己制作的批次",
        "illegal_batch_state" => "该批次当前状态不允许此操作",
        "not_dead" => "该任务没有失败，不需要重试",
        "fare_not_payable" => "该路费当前不能确认",
        "fare_held" => "该路费已暂停发放",
        "fare_cancelled" => "该路费已取消",
        "student_not_active" => "该生不在读",
        "not_graduating" => "该生不在毕业学年",
        "nothing_to_reverse" => "只有入学记录，没有可以撤销的变动",
        "agreement_exists" => "该生已有有效的就业协议",
        "placement_exists" => "该生已有就业安排",
        "placement_not_proposed" => "该就业安排不在待企业确认状态",
        "placement_not_confirmed" => "该就业安排尚未经企业确认",
        "placement_confirmed" => "就业安排已经确认，不能再修改",
        "placement_closed" => "该就业安排已经结束",
        "no_follow_up" => "没有到期的回访",
        "overlapping_internship" => "与该生已有的实习时间重叠",
        "internship_active" => "该生已有进行中的实习",
        "internship_started" => "实习已经开始，不能再修改",
        "internship_not_active" => "实习不在进行中",
        "internship_not_completed" => "实习尚未结束",
        "internship_closed" => "实习已经结束",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::zh;

    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The conflict codes in `text`: the first quoted argument of `conflict(…)`, the
    /// second of `on_constraint(…)` (after the key) and `Conflict { code: "…" }`.
    fn codes(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (call, index) in [("conflict(", 0), ("on_constraint(", 0), ("Conflict { code: ", 0)] {
            for (at, _) in text.match_indices(call) {
                let args = &text[at + call.len()..];
                let end = args.find(')').or_else(|| args.find('}')).unwrap_or(args.len()).min(400);
                let quoted: Vec<&str> = args[..end.min(args.len())].split('"').skip(1).step_by(2).collect();
                if let Some(code) = quoted.get(index)
                    && !code.is_empty()
                    && code.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                {
                    out.push((*code).to_owned());
                }
            }
        }
        out
    }

    #[test]
    fn every_conflict_code_of_the_domain_has_a_chinese_sentence() {
        let mut files = Vec::new();
        rust_files(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")), &mut files);
        let mut seen = 0;
        let mut missing = Vec::new();
        for f in files {
            for code in codes(&std::fs::read_to_string(&f).unwrap_or_default()) {
                seen += 1;
                if zh(&code).is_none() && !missing.contains(&code) {
                    missing.push(code);
                }
            }
        }
        assert!(seen > 40, "only {seen} conflict codes found in the domain's source");
        assert!(missing.is_empty(), "conflict codes without a Chinese sentence: {missing:?}");
    }
}
