//! A referral as someone enters it, and the rules that read it.

use super::{AgeBand, Awareness, ConcernType, Gender, ReferralSector};
use crate::dates::DateEntry;
use crate::validate::{self, ValidationErrors};
use time::Date;

/// The longest narrative a case field takes (about ten pages of text).
pub const NARRATIVE_MAX: usize = 20_000;
/// The longest short text (a name, an organisation).
pub const SHORT_MAX: usize = 200;
/// The longest of the middling texts (an address, contact details, professionals involved).
pub const DETAILS_MAX: usize = 2_000;

/// A referral as typed into the form or sent to the API: text as it arrived, so a form with
/// an error can be shown again with everything kept.
#[derive(Clone, Debug, Default)]
pub struct ReferralInput {
    pub person_name: String,
    pub date_of_birth: DateEntry,
    pub approximate_age: String,
    pub gender: String,
    pub address: String,
    pub contact: String,
    pub professionals: String,
    pub concern: String,
    pub concern_type: String,
    pub organisation: String,
    pub sector: String,
    pub aware: String,
}

/// Who the referral is about. Every field but the gender is sealed when stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub date_of_birth: Option<Date>,
    pub approximate_age: Option<u32>,
    pub gender: Gender,
    pub address: String,
    pub contact: String,
    pub professionals: String,
}

impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Person([personal data])")
    }
}

/// A referral that passed every rule.
#[derive(Clone, PartialEq, Eq)]
pub struct Referral {
    pub person: Person,
    pub concern: String,
    pub concern_type: ConcernType,
    pub organisation: String,
    pub sector: ReferralSector,
    pub aware: Awareness,
}

impl std::fmt::Debug for Referral {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Referral")
            .field("concern_type", &self.concern_type)
            .field("sector", &self.sector)
            .field("aware", &self.aware)
            .finish_non_exhaustive()
    }
}

/// The fields of the referral form in the order the page shows them, for the error summary.
pub const REFERRAL_FIELDS: &[&str] = &[
    "person_name",
    "date_of_birth",
    "approximate_age",
    "gender",
    "address",
    "contact",
    "professionals",
    "concern_type",
    "concern",
    "organisation",
    "sector",
    "aware",
];

/// Read a referral entered on `today`. Every problem is reported at once, against its field.
pub fn read_referral(input: &ReferralInput, today: Date) -> Result<Referral, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let name = validate::required_text(
        "person_name",
        "the person's full name",
        &input.person_name,
        SHORT_MAX,
        &mut e,
    );
    let dob = validate::date(
        "date_of_birth",
        "date of birth",
        &input.date_of_birth,
        false,
        &mut e,
    );
    if let Some(d) = dob {
        if d > today {
            e.add("date_of_birth", "Date of birth must be in the past");
        } else if today.year() - d.year() > 120 {
            e.add(
                "date_of_birth",
                "Date of birth must be within the last 120 years",
            );
        }
    }
    let age_text = input.approximate_age.trim();
    let approximate_age = if age_text.is_empty() {
        None
    } else {
        match age_text.parse::<u32>() {
            Ok(a) if a <= 120 => Some(a),
            _ => {
                e.add(
                    "approximate_age",
                    "Approximate age must be a whole number of years, like 15",
                );
                None
            }
        }
    };
    let dob_entered = !matches!(crate::dates::read_date(&input.date_of_birth), Ok(None));
    if !dob_entered && age_text.is_empty() {
        e.add(
            "date_of_birth",
            "Enter the person's date of birth, or their approximate age if you do not know it",
        );
    }
    let gender = choice(
        "gender",
        "the person's gender, or not known",
        &input.gender,
        Gender::from_key,
        &mut e,
    );
    let address = validate::required_lines(
        "address",
        "the person's address or the area they live in",
        &input.address,
        DETAILS_MAX,
        &mut e,
    );
    validate::free_text(
        "contact",
        "contact details",
        &input.contact,
        DETAILS_MAX,
        &mut e,
    );
    validate::free_text(
        "professionals",
        "professionals already involved",
        &input.professionals,
        DETAILS_MAX,
        &mut e,
    );
    let concern_type = choice(
        "concern_type",
        "the type of concern",
        &input.concern_type,
        ConcernType::from_key,
        &mut e,
    );
    let concern = validate::required_lines(
        "concern",
        "what you saw or heard",
        &input.concern,
        NARRATIVE_MAX,
        &mut e,
    );
    let organisation = validate::required_text(
        "organisation",
        "your organisation",
        &input.organisation,
        SHORT_MAX,
        &mut e,
    );
    let sector = choice(
        "sector",
        "your sector",
        &input.sector,
        ReferralSector::from_key,
        &mut e,
    );
    let aware = choice(
        "aware",
        "whether the person knows about this referral",
        &input.aware,
        Awareness::from_key,
        &mut e,
    );
    e.into_result()?;
    match (gender, concern_type, sector, aware) {
        (Some(gender), Some(concern_type), Some(sector), Some(aware)) => Ok(Referral {
            person: Person {
                name,
                date_of_birth: dob,
                approximate_age,
                gender,
                address,
                contact: input.contact.trim().to_owned(),
                professionals: input.professionals.trim().to_owned(),
            },
            concern,
            concern_type,
            organisation,
            sector,
            aware,
        }),
        _ => Err(ValidationErrors::single(
            "concern_type",
            "Select the type of concern",
        )),
    }
}

/// A value from a closed list; nothing chosen, or a value not on the list, is "Select ...".
pub fn choice<T>(
    field: &str,
    what: &str,
    value: &str,
    from_key: fn(&str) -> Option<T>,
    errors: &mut ValidationErrors,
) -> Option<T> {
    let found = from_key(value.trim());
    if found.is_none() {
        errors.add(field, format!("Select {what}"));
    }
    found
}

impl Referral {
    /// The person's age band on `today`: from the date of birth when known, otherwise the
    /// approximate age.
    pub fn age_band(&self, today: Date) -> AgeBand {
        match (self.person.date_of_birth, self.person.approximate_age) {
            (Some(dob), _) => AgeBand::of_age(whole_years(dob, today)),
            (None, Some(age)) => AgeBand::of_age(age),
            (None, None) => AgeBand::NotKnown,
        }
    }

    /// What the duplicate check compares: the normalised name and the date of birth. `None`
    /// without a date of birth: an approximate age is too loose to say two referrals are the
    /// same person, and the product never guesses.
    pub fn identity_key(&self) -> Option<String> {
        identity_key(&self.person.name, self.person.date_of_birth?)
    }
}

/// The duplicate check's input for a name and a date of birth: the name in lower case with
/// punctuation dropped and spaces collapsed, then the date. Exact match only; no fuzzy search.
pub fn identity_key(name: &str, date_of_birth: Date) -> Option<String> {
    let normal = normalise_name(name);
    (!normal.is_empty()).then(|| format!("{normal}|{date_of_birth}"))
}

/// A name as the duplicate check compares it: letters and digits in lower case, words
/// separated by one space. Hyphens and apostrophes join or split nothing ("Mary-Jane O'Neil"
/// and "mary jane oneil" differ only where a person would say they are spelt differently).
pub fn normalise_name(name: &str) -> String {
    let mut words = Vec::new();
    for raw in name.split(|c: char| c.is_whitespace() || c == '-') {
        let word: String = raw
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        if !word.is_empty() {
            words.push(word);
        }
    }
    words.join(" ")
}

/// Whole years from `born` to `on`.
pub fn whole_years(born: Date, on: Date) -> u32 {
    let mut years = on.year() - born.year();
    if (on.month() as u8, on.day()) < (born.month() as u8, born.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn good() -> ReferralInput {
        ReferralInput {
            person_name: "Alex Example".into(),
            date_of_birth: DateEntry::Iso("2010-05-04".into()),
            approximate_age: String::new(),
            gender: "not-known".into(),
            address: "Northtown".into(),
            contact: String::new(),
            professionals: String::new(),
            concern: "Shared violent material in class".into(),
            concern_type: "extreme-right-wing".into(),
            organisation: "Northtown Academy".into(),
            sector: "education".into(),
            aware: "no".into(),
        }
    }

    #[test]
    fn a_good_referral_reads_and_gives_its_band_and_key() {
        let r = read_referral(&good(), date!(2026 - 12 - 07)).unwrap();
        assert_eq!(r.age_band(date!(2026 - 12 - 07)), AgeBand::From15To17);
        assert_eq!(r.identity_key().as_deref(), Some("alex example|2010-05-04"));
        assert!(
            !format!("{r:?}").contains("Alex"),
            "Debug never shows the person"
        );
    }

    #[test]
    fn every_problem_is_reported_against_its_field() {
        let input = ReferralInput::default();
        let e = read_referral(&input, date!(2026 - 12 - 07)).unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        for f in [
            "person_name",
            "date_of_birth",
            "gender",
            "address",
            "concern_type",
            "concern",
            "organisation",
            "sector",
            "aware",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn an_approximate_age_stands_in_for_a_date_of_birth_but_gives_no_key() {
        let mut input = good();
        input.date_of_birth = DateEntry::default();
        input.approximate_age = "16".into();
        let r = read_referral(&input, date!(2026 - 12 - 07)).unwrap();
        assert_eq!(r.age_band(date!(2026 - 12 - 07)), AgeBand::From15To17);
        assert_eq!(r.identity_key(), None);
        input.approximate_age = "sixteen".into();
        assert!(read_referral(&input, date!(2026 - 12 - 07)).is_err());
        input.approximate_age = "121".into();
        assert!(read_referral(&input, date!(2026 - 12 - 07)).is_err());
    }

    #[test]
    fn dates_of_birth_in_the_future_are_refused() {
        let mut input = good();
        input.date_of_birth = DateEntry::Iso("2027-01-01".into());
        let e = read_referral(&input, date!(2026 - 12 - 07)).unwrap_err();
        assert_eq!(e.0[0].field, "date_of_birth");
    }

    #[test]
    fn names_normalise_for_an_exact_match_only() {
        assert_eq!(normalise_name("  Mary-Jane   O'Neil "), "mary jane oneil");
        assert_eq!(normalise_name("MARY JANE ONEIL"), "mary jane oneil");
        assert_ne!(
            normalise_name("Mary Jane O'Neill"),
            normalise_name("Mary Jane O'Neil")
        );
        assert_eq!(normalise_name("Zoë Ærø"), "zoë ærø");
        assert_eq!(normalise_name("!!"), "");
        assert_eq!(identity_key("!!", date!(2000 - 01 - 01)), None);
    }

    #[test]
    fn whole_years_count_birthdays() {
        assert_eq!(
            whole_years(date!(2010 - 05 - 04), date!(2026 - 05 - 03)),
            15
        );
        assert_eq!(
            whole_years(date!(2010 - 05 - 04), date!(2026 - 05 - 04)),
            16
        );
        assert_eq!(whole_years(date!(2030 - 01 - 01), date!(2026 - 05 - 04)), 0);
    }
}
