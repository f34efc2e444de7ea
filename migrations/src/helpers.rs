//! Small builders shared by the migrations: named foreign keys and indexes.

use sea_orm_migration::prelude::*;

/// A foreign key from `table.col` to `target.id`, named `fk_<table>_<col>`.
pub fn fk(table: &'static str, col: &'static str, target: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(format!("fk_{table}_{col}")).from(table, col).to(target, "id").to_owned()
}

/// A (possibly unique) index over `cols` of `table`, named `ix_<table>_<cols>`.
pub fn index(table: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", cols.join("_"))).table(table);
    for c in cols {
        stmt.col(*c);
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}
