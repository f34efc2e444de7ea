//! A small programme world for recruitment and student tests: one programme, two
//! schools with one major each, two origin counties, two partner enterprises, a 2019
//! cohort (capacity 3 at school A, 2 at school B) and a 2020 cohort, plus a signed-in
//! user for every role. Built straight through the entities so these tests do not
//! depend on the reference-data endpoints.

use chrono::{NaiveDate, Utc};
use reqwest::{Method, Response};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use uuid::Uuid;
use yungui_domain::Role;
use yungui_domain::entities::{cohort, cohort_capacity, enterprise, major, origin, programme, school, user};

use crate::helpers::{StatusCode, TestApp, assert_json, send, spawn_app};

/// Zhijin County, Guizhou.
pub const ZHIJIN: &str = "520524";
/// Zhaotong, Yunnan.
pub const ZHAOTONG: &str = "530600";

/// The world and a token per role.
pub struct World {
    pub app: TestApp,
    pub programme: Uuid,
    pub cohort: Uuid,
    pub cohort_2020: Uuid,
    pub school_a: Uuid,
    pub school_b: Uuid,
    /// `JXJG` 机械加工 at school A, capacity 3 in 2019.
    pub major_a: Uuid,
    /// `ZPQG` 装配钳工 at school B, capacity 2 in 2019.
    pub major_b: Uuid,
    pub zhijin: Uuid,
    pub zhaotong: Uuid,
    pub enterprise_1: Uuid,
    pub uscc_1: String,
    pub enterprise_2: Uuid,
    pub uscc_2: String,
    pub admin: String,
    pub registrar_a: String,
    pub registrar_b: String,
    pub officer_zhijin: String,
    pub officer_zhaotong: String,
    pub hr_1: String,
    pub hr_2: String,
}

fn id() -> Uuid {
    Uuid::now_v7()
}

/// Builds the world on a fresh application.
pub async fn world() -> World {
    let app = spawn_app().await;
    let db = &app.state.db;
    let now = Utc::now();
    let prog = programme::ActiveModel {
        id: Set(id()),
        code: Set("YGB".into()),
        name: Set("云贵班".into()),
        study_years: Set(3),
        last_year_internship: Set(true),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .expect("programme");
    let mk_school = |code: &'static str, name: &'static str| school::ActiveModel {
        id: Set(id()),
        code: Set(code.into()),
        name: Set(name.into()),
        county: Set("长兴县".into()),
        created_at: Set(now),
    };
    let school_a = mk_school("CXZJ", "长兴县职业教育中心").insert(db).await.expect("school a");
    let school_b = mk_school("CXJS", "长兴技师学院").insert(db).await.expect("school b");
    let mk_major = |school_id: Uuid, code: &'static str, name: &'static str| major::ActiveModel {
        id: Set(id()),
        school_id: Set(school_id),
        code: Set(code.into()),
        name: Set(name.into()),
        created_at: Set(now),
    };
    let major_a = mk_major(school_a.id, "JXJG", "机械加工").insert(db).await.expect("major a");
    let major_b = mk_major(school_b.id, "ZPQG", "装配钳工").insert(db).await.expect("major b");
    let mut cohorts = Vec::new();
    for (year, cap_a, cap_b) in [(2019, 3, 2), (2020, 10, 10)] {
        let c = cohort::ActiveModel {
            id: Set(id()),
            programme_id: Set(prog.id),
            intake_year: Set(year),
            name: Set(format!("云贵班 {year}")),
            starts_on: Set(NaiveDate::from_ymd_opt(year, 9, 1).expect("date")),
            created_at: Set(now),
            policy_id: Set(None),
        }
        .insert(db)
        .await
        .expect("cohort");
        for (m, cap) in [(major_a.id, cap_a), (major_b.id, cap_b)] {
            cohort_capacity::ActiveModel { id: Set(id()), cohort_id: Set(c.id), major_id: Set(m), capacity: Set(cap) }
                .insert(db)
                .await
                .expect("capacity");
        }
        cohorts.push(c.id);
    }
    let mk_origin = |code: &'static str, name: &'static str, province: &'static str| origin::ActiveModel {
        id: Set(id()),
        code: Set(code.into()),
        name: Set(name.into()),
        province: Set(province.into()),
        created_at: Set(now),
    };
    let zhijin = mk_origin(ZHIJIN, "织金县", "贵州省").insert(db).await.expect("origin");
    let zhaotong = mk_origin(ZHAOTONG, "昭通市", "云南省").insert(db).await.expect("origin");
    let uscc_1 = yungui_domain::synthetic::credit_code(11);
    let uscc_2 = yungui_domain::synthetic::credit_code(12);
    let mut ents = Vec::new();
    for (uscc, name) in [(&uscc_1, "长兴精工机械有限公司"), (&uscc_2, "浙江长兴电气设备有限公司")]
    {
        let e = enterprise::ActiveModel {
            id: Set(id()),
            name: Set(name.into()),
            uscc: Set(uscc.clone()),
            contact_name: Set(None),
            contact_phone: Set(None),
            contact_email: Set(None),
            created_at: Set(now),
        }
        .insert(db)
        .await
        .expect("enterprise");
        ents.push(e.id);
    }
    let token = |role: Role, anchor: Option<Uuid>| {
        let app = &app;
        async move {
            let u = app.create_user_anchored(role, anchor).await;
            app.token_of(&u).await
        }
    };
    let admin = app.admin_token().await;
    let registrar_a = token(Role::Registrar, Some(school_a.id)).await;
    let registrar_b = token(Role::Registrar, Some(school_b.id)).await;
    let officer_zhijin = token(Role::OriginOfficer, Some(zhijin.id)).await;
    let officer_zhaotong = token(Role::OriginOfficer, Some(zhaotong.id)).await;
    let hr_1 = token(Role::Enterprise, Some(ents[0])).await;
    let hr_2 = token(Role::Enterprise, Some(ents[1])).await;
    World {
        programme: prog.id,
        cohort: cohorts[0],
        cohort_2020: cohorts[1],
        school_a: school_a.id,
        school_b: school_b.id,
        major_a: major_a.id,
        major_b: major_b.id,
        zhijin: zhijin.id,
        zhaotong: zhaotong.id,
        enterprise_1: ents[0],
        uscc_1,
        enterprise_2: ents[1],
        uscc_2,
        admin,
        registrar_a,
        registrar_b,
        officer_zhijin,
        officer_zhaotong,
        hr_1,
        hr_2,
        app,
    }
}

/// A valid national ID for applicant `n` of `origin` (born in 2003).
pub fn national_id(origin: &str, n: u32) -> String {
    let birth = NaiveDate::from_ymd_opt(2003, 1 + (n % 12), 1 + (n % 28)).expect("date");
    yungui_domain::synthetic::national_id(origin, birth, n % 1000)
}

/// An application body for applicant `n`.
pub fn applicant(n: u32, origin: &str, major: &str, uscc: Option<&str>) -> Value {
    json!({
        "national_id": national_id(origin, n),
        "name": format!("测试{}", ["一", "二", "三", "四", "五", "六", "七", "八", "九"][(n % 9) as usize]),
        "phone": format!("139{:08}", 10_000_000 + n),
        "origin_code": origin,
        "preferred_major": major,
        "intended_enterprise_uscc": uscc,
        "bank_card": yungui_domain::synthetic::bank_card(u64::from(n)),
        "poverty_registration_no": format!("BJ2019{n:06}"),
    })
}

impl World {
    /// `POST /cohorts/{cohort}/applications`.
    pub async fn apply(&self, token: &str, cohort: Uuid, body: &Value) -> Response {
        self.app.post_json(&format!("/api/v1/cohorts/{cohort}/applications"), token, body).await
    }

    /// `POST /applications/{id}/{action}` with an optional JSON body.
    pub async fn act(&self, token: &str, application: &str, action: &str, body: Option<Value>) -> Response {
        let req =
            self.app.request(Method::POST, &format!("/api/v1/applications/{application}/{action}")).bearer_auth(token);
        send(match body {
            Some(b) => req.json(&b),
            None => req,
        })
        .await
    }

    /// Creates applicant `n` (Zhijin, major JXJG, enterprise 1) and takes it to
    /// `admitted` at school A; returns the application id.
    pub async fn admitted(&self, n: u32) -> String {
        let created = assert_json(
            self.apply(&self.officer_zhijin, self.cohort, &applicant(n, ZHIJIN, "JXJG", Some(&self.uscc_1))).await,
            StatusCode::CREATED,
        )
        .await;
        let id = created["id"].as_str().expect("id").to_owned();
        assert_json(self.act(&self.officer_zhijin, &id, "verify", None).await, StatusCode::OK).await;
        assert_json(self.act(&self.registrar_a, &id, "admit", None).await, StatusCode::OK).await;
        id
    }

    /// Applicant `n` enrolled at school A on 2019-09-01; returns (student id, student login).
    pub async fn enrolled(&self, n: u32) -> (String, String) {
        let app_id = self.admitted(n).await;
        let body = assert_json(
            self.act(
                &self.registrar_a,
                &app_id,
                "enroll",
                Some(json!({ "enrolled_on": "2019-09-01", "class_name": "机械1班" })),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        (
            body["student"]["id"].as_str().expect("student id").to_owned(),
            body["login"].as_str().expect("login").to_owned(),
        )
    }

    /// Gives a student account a password (activation by email comes later) and signs in.
    pub async fn student_token(&self, login: &str) -> String {
        let u = user::Entity::find()
            .filter(user::Column::Login.eq(login))
            .one(&self.app.state.db)
            .await
            .expect("db")
            .expect("student user");
        let mut am: user::ActiveModel = u.into();
        am.password_hash = Set(Some(yungui_domain::crypto::hash_password("student-password-1").expect("hash")));
        am.update(&self.app.state.db).await.expect("set password");
        self.app.token_for(login, "student-password-1").await
    }

    /// `POST /students/{id}/transitions`.
    pub async fn transition(&self, token: &str, student: &str, body: Value) -> Response {
        self.app.post_json(&format!("/api/v1/students/{student}/transitions"), token, &body).await
    }
}
