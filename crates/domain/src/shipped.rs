//! The assessment frameworks that ship with Prevent Toolkit, compiled into the binary from the
//! `frameworks/` folder. Each is an ordinary framework file: a deployment can also import its
//! own with `preventkit framework import`.
//!
//! They are listed with mapping targets first, so importing them in this order never meets a
//! mapping to a framework that is not stored yet.

/// (file name, contents), in import order.
pub const FRAMEWORKS: [(&str, &str); 3] = [
    (
        "hmic-prevent-2009.toml",
        include_str!("../../../frameworks/hmic-prevent-2009.toml"),
    ),
    (
        "lde-partnership-2008.toml",
        include_str!("../../../frameworks/lde-partnership-2008.toml"),
    ),
    (
        "prevent-duty-benchmark.toml",
        include_str!("../../../frameworks/prevent-duty-benchmark.toml"),
    ),
];

/// The id of the Prevent duty benchmark framework.
pub const PREVENT_DUTY_BENCHMARK: &str = "prevent-duty-benchmark";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{check_mappings, parse, Framework};

    fn all() -> Vec<Framework> {
        FRAMEWORKS
            .iter()
            .map(|(name, text)| match parse(name, text) {
                Ok(f) => f,
                Err(e) => panic!("{e}"),
            })
            .collect()
    }

    #[test]
    fn every_shipped_framework_loads_and_its_mappings_resolve() {
        let frameworks = all();
        for f in &frameworks {
            let others: Vec<&Framework> = frameworks
                .iter()
                .filter(|o| o.envelope.id != f.envelope.id)
                .collect();
            let problems = check_mappings(f, &others);
            assert!(problems.is_empty(), "{}: {problems:?}", f.envelope.id);
        }
        let ids: Vec<&str> = frameworks.iter().map(|f| f.envelope.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "hmic-prevent-2009",
                "lde-partnership-2008",
                PREVENT_DUTY_BENCHMARK
            ]
        );
    }

    /// Every question of the toolkit's self-assessment tool, with its kind as the toolkit marks
    /// it (E: expectation of compliance, G: good practice activity), read off the source
    /// document independently of the framework file.
    const BENCHMARK_QUESTIONS: &str =
        "1.1E 1.2G 1.3G 2.1E 2.2E 2.3G 2.4G 3.1E 3.2E 3.3E 4.1E 4.2E \
        5.1E 5.2E 5.3E 5.4E 5.5E 5.6E 5.7E 6.1G 6.2G 7.1E 7.2E 7.3E 7.4E 7.5G 7.6G 7.7G 7.8G \
        7.9G 8.1E 8.2E 8.3G 9.1E 9.2G 9.3G 10.1G 10.2G";

    #[test]
    fn the_benchmark_has_every_question_of_the_toolkit_with_its_kind() {
        let frameworks = all();
        let Some(f) = frameworks
            .iter()
            .find(|f| f.envelope.id == PREVENT_DUTY_BENCHMARK)
        else {
            panic!("the benchmark framework is missing");
        };
        let found: Vec<String> = f
            .questions()
            .into_iter()
            .map(|(_, q)| {
                let k = match q.kind.as_str() {
                    "expectation" => "E",
                    "good-practice" => "G",
                    other => other,
                };
                format!("{}{k}", q.number)
            })
            .collect();
        let expected: Vec<&str> = BENCHMARK_QUESTIONS.split_whitespace().collect();
        assert_eq!(found, expected);
        assert_eq!(f.sections.len(), 10);
        for s in &f.sections {
            assert!(
                s.outcome.as_deref().is_some_and(|o| !o.is_empty()),
                "{}",
                s.id
            );
        }
        // One scale: Not yet started, Developing, Achieving, with n/a kept outside it.
        let scale = f.scale("progress").map(|s| {
            s.levels
                .iter()
                .map(|l| l.label.as_str())
                .collect::<Vec<_>>()
        });
        assert_eq!(
            scale,
            Some(vec!["Not yet started", "Developing", "Achieving"])
        );
        // Every question is summarised under at least one HMIC capability, but 8.2 (filtering
        // the organisation's networks), which none of the five covers.
        for (_, q) in f.questions() {
            let mapped = f
                .mappings
                .iter()
                .any(|m| m.question == q.id && m.target.framework == HMIC);
            assert_eq!(mapped, q.id != "8.2", "{} capability", q.id);
        }
    }

    #[test]
    fn the_benchmark_asks_for_details_with_developing_and_achieving() {
        let f = benchmark();
        let needs: Vec<&str> = f
            .scale("progress")
            .map(|s| {
                s.levels
                    .iter()
                    .filter(|l| l.details_required)
                    .map(|l| l.key.as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(needs, ["developing", "achieving"]);
        for blank in ["", "  \n "] {
            assert!(f.missing_details("1.1", "developing", blank).is_some());
            assert!(f.missing_details("1.1", "achieving", blank).is_some());
            assert!(f.missing_details("1.1", "not-yet-started", blank).is_none());
            assert!(f.missing_details("1.1", "n/a", blank).is_none());
            assert!(f.missing_details("1.1", "", blank).is_none());
        }
        assert!(f
            .missing_details("1.1", "developing", "Partly in place")
            .is_none());
        // The other shipped frameworks say nothing of it, so nothing changes for them.
        for other in all()
            .iter()
            .filter(|o| o.envelope.id != PREVENT_DUTY_BENCHMARK)
        {
            assert!(other
                .scales
                .iter()
                .all(|s| s.levels.iter().all(|l| !l.details_required)));
        }
    }

    const HMIC: &str = "hmic-prevent-2009";

    fn benchmark() -> Framework {
        let Some(f) = all()
            .into_iter()
            .find(|f| f.envelope.id == PREVENT_DUTY_BENCHMARK)
        else {
            panic!("the benchmark framework is missing");
        };
        f
    }

    fn title(f: &Framework, id: &str) -> String {
        f.questions()
            .into_iter()
            .find(|(_, q)| q.id == id)
            .map(|(_, q)| q.title.clone())
            .unwrap_or_else(|| panic!("no question {id}"))
    }

    /// The HMIC capabilities a benchmark question is summarised under, in file order.
    fn capabilities(f: &Framework, id: &str) -> Vec<String> {
        f.mappings
            .iter()
            .filter(|m| m.question == id && m.target.framework == HMIC)
            .map(|m| m.target.question.clone())
            .collect()
    }

    #[test]
    fn every_benchmark_question_is_asked_as_a_question() {
        let f = benchmark();
        for (_, q) in f.questions() {
            assert!(
                q.title.trim_end().ends_with('?'),
                "{} is a statement: {}",
                q.id,
                q.title
            );
        }
    }

    #[test]
    fn the_benchmark_keeps_the_toolkits_formal_mechanism_and_all_relevant_staff() {
        let f = benchmark();
        assert!(title(&f, "6.1").contains("formal"), "{}", title(&f, "6.1"));
        for id in ["7.1", "7.2"] {
            assert!(
                title(&f, id).contains("all relevant staff"),
                "{id}: {}",
                title(&f, id)
            );
        }
    }

    #[test]
    fn benchmark_mappings_to_hmic_are_as_decided() {
        let f = benchmark();
        // HMIC assesses vulnerability at area level: the panel's view of one person (5.2),
        // staff awareness (7.1) and safeguarding in supplementary schools (7.5) are not that.
        for id in ["5.2", "7.1", "7.5"] {
            let caps = capabilities(&f, id);
            assert!(!caps.is_empty(), "{id} is still summarised somewhere");
            assert!(
                !caps.iter().any(|c| c == "assessing-vulnerability"),
                "{id}: {caps:?}"
            );
        }
        // IT filtering has no HMIC equivalent.
        assert_eq!(capabilities(&f, "8.2"), Vec::<String>::new());
        // Support where Channel consent is refused is an intervention.
        assert_eq!(
            capabilities(&f, "5.7"),
            ["community-engagement-interventions"]
        );
    }

    #[test]
    fn hmic_has_five_capabilities_on_four_stages_with_criteria_for_each() {
        let frameworks = all();
        let Some(f) = frameworks
            .iter()
            .find(|f| f.envelope.id == "hmic-prevent-2009")
        else {
            panic!("the HMIC framework is missing");
        };
        let ids: Vec<&str> = f
            .questions()
            .into_iter()
            .map(|(_, q)| q.id.as_str())
            .collect();
        assert_eq!(
            ids,
            [
                "assessing-vulnerability",
                "leadership-governance-structures",
                "information-sharing",
                "community-engagement-interventions",
                "assessing-success"
            ]
        );
        let stages = ["implementation", "developed", "advanced", "delivering"];
        for (_, q) in f.questions() {
            let keys: Vec<&str> = q.descriptors.keys().map(String::as_str).collect();
            for s in stages {
                assert!(keys.contains(&s), "{} lacks {s}", q.id);
            }
        }
    }

    #[test]
    fn lde_has_six_hallmarks_and_the_characteristics_of_success() {
        let frameworks = all();
        let Some(f) = frameworks
            .iter()
            .find(|f| f.envelope.id == "lde-partnership-2008")
        else {
            panic!("the LDE framework is missing");
        };
        let count = |kind: &str| {
            f.questions()
                .into_iter()
                .filter(|(_, q)| q.kind == kind)
                .count()
        };
        assert_eq!(count("hallmark"), 6);
        assert_eq!(count("characteristic"), 7);
    }
}
