//! Bulk import of applications from CSV (SPEC §7, §13): a per-row report with line
//! numbers, `dry_run`, `all_or_nothing`, and re-importing the same file changes nothing.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde::Serialize;
use uuid::Uuid;

use super::applications::{CohortContext, RECRUITERS, new_row};
use super::{audit, now, require};
use crate::entities::{application, identity_claim};
use crate::error::{OnConstraint, keys};
use crate::import_csv::{self, ApplicantInput};
use crate::{Actor, DomainError, FieldError, Vault};

/// Most rows one import takes; larger files are refused as a whole.
pub const MAX_ROWS: usize = 100_000;

/// How an import should treat the file.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Validate only; write nothing.
    pub dry_run: bool,
    /// Write nothing unless every row is valid.
    pub all_or_nothing: bool,
}

/// What happened to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    /// Written as a new application.
    Created,
    /// Valid, but not written (dry run, or refused by all-or-nothing).
    Valid,
    /// The same person is already in this cohort: nothing to do.
    Unchanged,
    /// Refused; see `errors`.
    Invalid,
}

/// The report line of one row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowReport {
    /// Line in the file (the header is line 1).
    pub line: usize,
    pub status: RowStatus,
    /// The application created, or already there.
    pub application_id: Option<Uuid>,
    /// Masked national ID, when it could be read.
    pub national_id: Option<String>,
    /// Every problem of the row.
    pub errors: Vec<FieldError>,
    /// Accepted, but worth a look (ID region differs from the origin).
    pub warnings: Vec<FieldError>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    pub all_or_nothing: bool,
    /// Whether anything was written.
    pub committed: bool,
    pub rows: usize,
    pub created: usize,
    pub unchanged: usize,
    pub invalid: usize,
    /// Valid rows left unwritten (dry run or all-or-nothing).
    pub valid_not_written: usize,
    pub report: Vec<RowReport>,
}

fn problems(ps: Vec<import_csv::FieldProblem>) -> Vec<FieldError> {
    ps.into_iter().map(|p| FieldError::new(p.field, p.code, p.message)).collect()
}

/// Imports an applications file into a cohort.
pub async fn import_applications(
    db: &DatabaseConnection,
    actor: &Actor,
    vault: &Vault,
    cohort_id: Uuid,
    bytes: &[u8],
    opts: ImportOptions,
) -> Result<ImportReport, DomainError> {
    require(actor, RECRUITERS)?;
    let file_error = |code: &str, message: String| DomainError::Invalid(vec![FieldError::new("file", code, message)]);
    let text = import_csv::decode(bytes).map_err(|e| {
        let p = import_csv::FileProblem::from(e);
        file_error(p.code, p.message)
    })?;
    // The header and MAX_ROWS rows at most.
    if import_csv::exceeds_records(&text, MAX_ROWS + 1) {
        return Err(file_error("too_many_rows", format!("a file may hold at most {MAX_ROWS} rows; split it")));
    }
    let raw = import_csv::parse(&text).map_err(|p| file_error(p.code, p.message))?;
    let ctx = CohortContext::load(db, cohort_id).await?;

    // 1. Every row on its own: value types, then reference lookups.
    let mut report: Vec<RowReport> = Vec::with_capacity(raw.len());
    let mut valid: Vec<(usize, ApplicantInput, super::applications::Resolved, String)> = Vec::new();
    for row in &raw {
        let mut entry = RowReport {
            line: row.line,
            status: RowStatus::Invalid,
            application_id: None,
            national_id: None,
            errors: vec![],
            warnings: vec![],
        };
        match import_csv::validate_row(row) {
            Err(ps) => {
                entry.national_id = row
                    .get(import_csv::Column::NationalId)
                    .and_then(|s| crate::values::NationalId::parse(s).ok())
                    .map(|n| n.masked());
                entry.errors = problems(ps);
            }
            Ok(input) => {
                entry.national_id = Some(input.national_id.masked());
                entry.warnings = problems(import_csv::warnings(&input));
                match ctx.resolve(actor, &input) {
                    Err(errs) => entry.errors = errs,
                    Ok(resolved) => {
                        let hash = vault.id_hash(input.national_id.as_str());
                        valid.push((report.len(), input, resolved, hash));
                        entry.status = RowStatus::Valid;
                    }
                }
            }
        }
        report.push(entry);
    }

    // 2. Duplicates inside the file: the first occurrence wins.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut keep = Vec::with_capacity(valid.len());
    for (idx, input, resolved, hash) in valid {
        if let Some(first) = seen.get(&hash) {
            let p = import_csv::duplicate_problem(*first);
            report[idx].status = RowStatus::Invalid;
            report[idx].errors.push(FieldError::new(p.field, p.code, p.message));
        } else {
            seen.insert(hash.clone(), report[idx].line);
            keep.push((idx, input, resolved, hash));
        }
    }

    // 3. Against the database: same cohort → unchanged; another cohort → duplicate.
    let hashes: Vec<String> = keep.iter().map(|k| k.3.clone()).collect();
    let mut claims: HashMap<String, identity_claim::Model> = HashMap::new();
    for chunk in hashes.chunks(500) {
        for c in identity_claim::Entity::find()
            .filter(identity_claim::Column::NationalIdHash.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            claims.insert(c.national_id_hash.clone(), c);
        }
    }
    let mut cohort_names: HashMap<Uuid, String> = HashMap::new();
    let mut to_insert = Vec::new();
    for (idx, input, resolved, hash) in keep {
        match claims.get(&hash) {
            Some(c) if c.cohort_id == cohort_id && c.student_id.is_none() => {
                report[idx].status = RowStatus::Unchanged;
                report[idx].application_id = Some(c.application_id);
            }
            Some(c) if c.cohort_id == cohort_id => {
                report[idx].status = RowStatus::Unchanged;
                report[idx].application_id = Some(c.application_id);
                report[idx].warnings.push(FieldError::new(
                    "national_id",
                    "already_enrolled",
                    "this person is already enrolled in this cohort",
                ));
            }
            Some(c) => {
                let name = match cohort_names.get(&c.cohort_id) {
                    Some(n) => n.clone(),
                    None => {
                        let n = crate::entities::cohort::Entity::find_by_id(c.cohort_id)
                            .one(db)
                            .await?
                            .map(|c| c.name)
                            .unwrap_or_default();
                        cohort_names.insert(c.cohort_id, n.clone());
                        n
                    }
                };
                report[idx].status = RowStatus::Invalid;
                report[idx].errors.push(FieldError::new(
                    "national_id",
                    "duplicate_person",
                    format!("this person already has an active application or student record in cohort {}", name),
                ));
            }
            None => to_insert.push((idx, input, resolved, hash)),
        }
    }

    let invalid = report.iter().filter(|r| r.status == RowStatus::Invalid).count();
    let refused_by_all_or_nothing = opts.all_or_nothing && invalid > 0;
    let write = !(opts.dry_run || refused_by_all_or_nothing || to_insert.is_empty());
    let mut created = 0;
    if write {
        let tx = db.begin().await?;
        let mut rows = Vec::with_capacity(to_insert.len());
        let mut claim_rows = Vec::with_capacity(to_insert.len());
        let mut ids = HashSet::new();
        for (idx, input, resolved, hash) in &to_insert {
            let row = new_row(actor, vault, cohort_id, input, resolved);
            let id = *row.id.as_ref();
            ids.insert(id);
            report[*idx].application_id = Some(id);
            report[*idx].status = RowStatus::Created;
            claim_rows.push(identity_claim::ActiveModel {
                national_id_hash: Set(hash.clone()),
                cohort_id: Set(cohort_id),
                application_id: Set(id),
                student_id: Set(None),
                claimed_at: Set(now()),
            });
            rows.push(row);
        }
        // Claims first: a concurrent import of the same people fails here, as a whole.
        for chunk in claim_rows.chunks(500) {
            identity_claim::Entity::insert_many(chunk.to_vec()).exec(&tx).await.on_constraint(
                keys::IDENTITY_CLAIM,
                "concurrent_import",
                "another import of the same people ran at the same time; run this one again",
            )?;
        }
        for chunk in rows.chunks(200) {
            application::Entity::insert_many(chunk.to_vec()).exec(&tx).await?;
        }
        created = to_insert.len();
        audit::record(
            &tx,
            actor,
            "application.import",
            "cohort",
            Some(cohort_id.to_string()),
            serde_json::json!({ "rows": report.len(), "created": created, "invalid": invalid }),
        )
        .await?;
        tx.commit().await?;
    }
    let unchanged = report.iter().filter(|r| r.status == RowStatus::Unchanged).count();
    let valid_not_written = report.iter().filter(|r| r.status == RowStatus::Valid).count();
    Ok(ImportReport {
        dry_run: opts.dry_run,
        all_or_nothing: opts.all_or_nothing,
        committed: created > 0,
        rows: report.len(),
        created,
        unchanged,
        invalid,
        valid_not_written,
        report,
    })
}
