//! Deterministic synthetic applicants for demos, tests and benchmarks.
//!
//! Everything is derived from a `u64` seed through a small `SplitMix64` generator,
//! so the same seed always gives the same people and nothing here touches a real
//! person's data. Every generated identifier passes the checks in [`crate::values`].

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};

use crate::values::{CREDIT_CODE_ALPHABET, credit_check_index, id_check_char, luhn_digit};

/// Origins used when the caller passes none: Zhijin County and Zhaotong.
const DEFAULT_ORIGINS: &[&str] = &["520524", "530600"];
/// Majors used when the caller passes none: the four majors of the first cohort.
const DEFAULT_MAJORS: &[&str] = &["机械加工", "装配钳工", "电气运行与控制", "旅游服务与管理"];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "罗", "高",
    "林", "龙", "郑", "梁", "谢", "宋", "唐", "韩", "冯", "邓", "曹", "彭", "曾", "田", "董", "袁", "潘", "蒋", "蔡",
    "余", "叶", "苏", "魏", "丁", "沈", "姚", "卢", "钟", "谭", "陆", "石", "廖", "夏", "韦", "熊", "安", "禄", "麻",
    "文", "陶", "雷",
];
const MALE_GIVEN: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "辉", "鹏", "华", "飞", "鑫", "波", "宇", "浩", "凯",
    "健", "俊", "帆", "旭", "宁", "阳", "斌", "博", "志", "成", "江", "海", "山", "峰", "建", "亮", "林", "文", "忠",
    "贵", "兴",
];
const FEMALE_GIVEN: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "英", "梅", "琳", "雪", "婷", "慧", "颖", "倩", "欣",
    "佳", "琴", "兰", "月", "晶", "萍", "红", "莉", "洁", "蓉", "秀",
];
/// Parts of transliterated Yi and Uyghur style names, joined with a middle dot.
const ETHNIC_FIRST: &[&str] = &["阿卜杜拉", "吉克", "阿苏", "沙马", "买买提", "阿依", "曲比"];
const ETHNIC_SECOND: &[&str] = &["艾买提", "阿呷", "尔古", "伍呷", "热合曼", "古丽", "阿果"];
/// Plausible mobile prefixes (China Mobile, Unicom, Telecom).
const PHONE_PREFIXES: &[&str] = &[
    "130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158", "159", "166",
    "177", "180", "182", "183", "186", "187", "188", "189", "198", "199",
];
/// Six-digit bank identification numbers of large Chinese banks.
const BANK_BINS: &[&str] = &["622202", "622848", "621700", "623668"];
/// Division codes for enterprises: Changxing County, Huzhou and neighbours.
const ENTERPRISE_DIVISIONS: &[&str] = &["330522", "330500", "330502", "330521", "330100"];

/// One synthetic recruit, as the applications CSV (SPEC §13) would carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticApplicant {
    /// A valid 18-character national ID whose prefix is `origin_code`.
    pub national_id: String,
    /// A Chinese name, occasionally an ethnic-minority name with `·`.
    pub name: String,
    /// An 11-digit mobile number, distinct within one batch.
    pub phone: String,
    /// `student{n}@example.cn` for about half the applicants.
    pub email: Option<String>,
    /// The 6-digit division code of the sending county.
    pub origin_code: String,
    /// One of the majors passed in, round-robin.
    pub preferred_major: String,
    /// One of the enterprise codes passed in, for most applicants when any were given.
    pub intended_enterprise_uscc: Option<String>,
    /// A poverty registration number such as `BJ2019048213`.
    pub poverty_registration_no: Option<String>,
    /// A parent's name, for most applicants.
    pub guardian_name: Option<String>,
    /// The guardian's mobile number, distinct from every other number in the batch.
    pub guardian_phone: Option<String>,
    /// A Luhn-valid 19-digit card number for about 70% of applicants.
    pub bank_card: Option<String>,
}

impl SyntheticApplicant {
    /// The 11 CSV fields in [`HeaderLanguage::columns`] order; absent optional fields are empty.
    pub fn csv_fields(&self) -> [&str; 11] {
        fn opt(field: &Option<String>) -> &str {
            field.as_deref().unwrap_or("")
        }
        [
            &self.national_id,
            &self.name,
            &self.phone,
            opt(&self.email),
            &self.origin_code,
            &self.preferred_major,
            opt(&self.intended_enterprise_uscc),
            opt(&self.poverty_registration_no),
            opt(&self.guardian_name),
            opt(&self.guardian_phone),
            opt(&self.bank_card),
        ]
    }
}

/// Header spelling for the CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderLanguage {
    /// `national_id,name,phone,...`
    English,
    /// `身份证号,姓名,手机号,...`
    Chinese,
}

impl HeaderLanguage {
    /// The 11 column names of the applications CSV, in SPEC §13 order.
    pub fn columns(self) -> [&'static str; 11] {
        match self {
            HeaderLanguage::English => [
                "national_id",
                "name",
                "phone",
                "email",
                "origin_code",
                "preferred_major",
                "intended_enterprise_uscc",
                "poverty_registration_no",
                "guardian_name",
                "guardian_phone",
                "bank_card",
            ],
            HeaderLanguage::Chinese => [
                "身份证号",
                "姓名",
                "手机号",
                "邮箱",
                "生源地代码",
                "意向专业",
                "意向企业统一社会信用代码",
                "建档立卡编号",
                "监护人姓名",
                "监护人电话",
                "银行卡号",
            ],
        }
    }
}

/// `SplitMix64`: tiny, fast and fully determined by its seed; not for secrets.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0); the multiply-shift bias is far below anything a demo notices.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with the given percentage.
    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    /// A random element; callers pass only non-empty lists.
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// `n` random decimal digits as text.
    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

/// Makes `n` distinct applicants spread round-robin over `origins` (6-digit codes) and `majors` (names or codes), enterprises optional.
///
/// Empty `origins` or `majors` fall back to Zhijin/Zhaotong and the four first-cohort
/// majors; `birth_year` is clamped to 1900..=2100, the range [`crate::values::NationalId`] accepts.
///
/// # Panics
/// If an origin is not 6 ASCII digits, or `n` exceeds the 365,000 IDs one origin can hold.
pub fn applicants(
    seed: u64,
    n: usize,
    origins: &[&str],
    majors: &[&str],
    enterprises: &[&str],
    birth_year: i32,
) -> Vec<SyntheticApplicant> {
    let origins = if origins.is_empty() { DEFAULT_ORIGINS } else { origins };
    let majors = if majors.is_empty() { DEFAULT_MAJORS } else { majors };
    let distinct_origins = origins.iter().collect::<HashSet<_>>().len();
    assert!(n <= distinct_origins * 365_000, "too many applicants for distinct national IDs");
    let year = birth_year.clamp(1900, 2100);
    let days_in_year = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() { 366 } else { 365 };

    let mut rng = SplitMix64(seed);
    let mut ids = HashSet::with_capacity(n);
    let mut phones = HashSet::with_capacity(2 * n);
    let mut poverty_numbers = HashSet::with_capacity(n);
    let mut fresh_phone = |rng: &mut SplitMix64| loop {
        let phone = format!("{}{}", rng.pick(PHONE_PREFIXES), rng.digits(8));
        if phones.insert(phone.clone()) {
            return phone;
        }
    };

    (0..n)
        .map(|i| {
            let origin = origins[i % origins.len()];
            let (national_id, sequence) = loop {
                // The year is clamped and the ordinal lies within it, so the date exists.
                let birth = NaiveDate::from_yo_opt(year, 1 + rng.below(days_in_year) as u32)
                    .expect("ordinal within a year in 1900..=2100");
                let sequence = rng.below(1000) as u32;
                let id = national_id(origin, birth, sequence);
                if ids.insert(id.clone()) {
                    break (id, sequence);
                }
            };
            let male = sequence % 2 == 1;
            let ethnic = rng.percent(4);
            let name = person_name(&mut rng, male, ethnic);
            let phone = fresh_phone(&mut rng);
            let email = rng.percent(50).then(|| format!("student{}@example.cn", i + 1));
            let intended_enterprise_uscc =
                (!enterprises.is_empty() && rng.percent(85)).then(|| rng.pick(enterprises).to_owned());
            let poverty_registration_no = loop {
                let prefix = match &origin[..2] {
                    "52" => "BJ",
                    "53" => "ZT",
                    _ => "FP",
                };
                let number = format!("{prefix}2019{}", rng.digits(6));
                if poverty_numbers.insert(number.clone()) {
                    break number;
                }
            };
            let (guardian_name, guardian_phone) = if rng.percent(90) {
                let parent_is_father = rng.percent(60);
                let parent = if ethnic {
                    person_name(&mut rng, parent_is_father, true)
                } else {
                    // A father usually shares the surname; a mother usually does not.
                    let surname = if parent_is_father {
                        name.chars().next().map(String::from).unwrap_or_default()
                    } else {
                        rng.pick(SURNAMES).to_owned()
                    };
                    format!("{surname}{}", given_name(&mut rng, parent_is_father))
                };
                (Some(parent), Some(fresh_phone(&mut rng)))
            } else {
                (None, None)
            };
            let bank_card = rng.percent(70).then(|| bank_card(rng.next_u64()));
            SyntheticApplicant {
                national_id,
                name,
                phone,
                email,
                origin_code: origin.to_owned(),
                preferred_major: majors[i % majors.len()].to_owned(),
                intended_enterprise_uscc,
                poverty_registration_no: Some(poverty_registration_no),
                guardian_name,
                guardian_phone,
                bank_card,
            }
        })
        .collect()
}

/// One or two given-name characters matching the gender.
fn given_name(rng: &mut SplitMix64, male: bool) -> String {
    let pool = if male { MALE_GIVEN } else { FEMALE_GIVEN };
    let first = rng.pick(pool);
    if rng.percent(60) { format!("{first}{}", rng.pick(pool)) } else { first.to_owned() }
}

/// A Han-style or (when `ethnic`) a dot-separated minority-style name.
fn person_name(rng: &mut SplitMix64, male: bool, ethnic: bool) -> String {
    if ethnic {
        format!("{}·{}", rng.pick(ETHNIC_FIRST), rng.pick(ETHNIC_SECOND))
    } else {
        format!("{}{}", rng.pick(SURNAMES), given_name(rng, male))
    }
}

/// Renders applicants as the applications CSV text (header row + one line per applicant, CRLF or LF fine), using the SPEC §13 column names (English: national_id,name,...; Chinese: 身份证号,姓名,...).
pub fn to_csv(rows: &[SyntheticApplicant], headers: HeaderLanguage) -> String {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // Writing to a Vec cannot hit an I/O error, and every record has the header's
    // 11 fields, so none of these calls can fail.
    writer.write_record(headers.columns()).expect("CSV into a Vec");
    for row in rows {
        writer.write_record(row.csv_fields()).expect("CSV into a Vec");
    }
    let bytes = writer.into_inner().expect("flushing into a Vec");
    // Every field was a Rust `String`, so the output is UTF-8.
    String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8")
}

/// The same CSV encoded as GBK, as Excel on a Chinese Windows desktop saves it, for testing imports.
pub fn to_csv_gbk(rows: &[SyntheticApplicant], headers: HeaderLanguage) -> Vec<u8> {
    let text = to_csv(rows, headers);
    encoding_rs::GBK.encode(&text).0.into_owned()
}

/// A fresh valid synthetic national ID for the given 6-digit division prefix, birth date and sequence number (0..=999); gender follows the sequence's parity.
///
/// Birth years outside 1900..=2100 give IDs that [`crate::values::NationalId::parse`] refuses.
///
/// # Panics
/// If `division` is not 6 ASCII digits or `sequence` exceeds 999.
pub fn national_id(division: &str, birth: NaiveDate, sequence: u32) -> String {
    assert!(division.len() == 6 && division.bytes().all(|b| b.is_ascii_digit()), "division must be 6 digits");
    assert!(sequence <= 999, "sequence must be 0..=999");
    let first17 = format!("{division}{:04}{:02}{:02}{sequence:03}", birth.year(), birth.month(), birth.day());
    let mut digits = [0u8; 17];
    for (slot, b) in digits.iter_mut().zip(first17.bytes()) {
        // Only a year outside 0..=9999 yields non-digits; wrapping keeps that panic-free.
        *slot = b.wrapping_sub(b'0');
    }
    format!("{first17}{}", id_check_char(&digits))
}

/// A valid unified social credit code built from a 17-char body of the seed.
///
/// Shaped like a company registered in Zhejiang: `91` + division + `MA` + 7 characters.
pub fn credit_code(seed: u64) -> String {
    let mut rng = SplitMix64(seed);
    let division = rng.pick(ENTERPRISE_DIVISIONS);
    // Values are alphabet indices: 9, 1, the division's digits, then M (21) and A (10).
    let mut values = [0u8; 17];
    values[0] = 9;
    values[1] = 1;
    for (slot, b) in values[2..8].iter_mut().zip(division.bytes()) {
        *slot = b - b'0';
    }
    values[8] = 21;
    values[9] = 10;
    for slot in &mut values[10..] {
        *slot = rng.below(31) as u8;
    }
    let check = credit_check_index(&values);
    values.iter().map(|&v| usize::from(v)).chain([check]).map(|v| char::from(CREDIT_CODE_ALPHABET[v])).collect()
}

/// A Luhn-valid 19-digit bank card number starting 6222 (or another plausible BIN).
pub fn bank_card(seed: u64) -> String {
    let mut rng = SplitMix64(seed);
    let body = format!("{}{}", rng.pick(BANK_BINS), rng.digits(12));
    let digits: Vec<u8> = body.bytes().map(|b| b - b'0').collect();
    format!("{body}{}", luhn_digit(&digits))
}

#[cfg(test)]
mod tests;
