//! How a business keeps the requirements, as the history draws it: the chance that an
//! inspection finds violations and how many, whether orders are kept on time, how often
//! complaints about it are confirmed, and whether it files self-assessments.

use crate::demo::rng::Rng;

/// How a business keeps the requirements: it weighs on violations found, orders kept, complaints,
/// and whether it files self-assessments and declarations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conduct {
    Good,
    Fair,
    Poor,
}

impl Conduct {
    pub fn draw(rng: &mut Rng) -> Self {
        [Conduct::Good, Conduct::Fair, Conduct::Poor][rng.weighted(&[52, 34, 14])]
    }

    /// Per mille: the chance an inspection finds violations, and that an order is kept on time.
    pub(super) fn violations_found(self, planned: bool) -> u64 {
        match (self, planned) {
            (Conduct::Good, true) => 200,
            (Conduct::Fair, true) => 400,
            (Conduct::Poor, true) => 600,
            (Conduct::Good, false) => 200,
            (Conduct::Fair, false) => 330,
            (Conduct::Poor, false) => 450,
        }
    }

    pub(super) fn most_violations(self) -> i64 {
        match self {
            Conduct::Good => 2,
            Conduct::Fair => 2,
            Conduct::Poor => 2,
        }
    }

    pub(super) fn orders_on_time(self) -> u64 {
        match self {
            Conduct::Good => 93,
            Conduct::Fair => 82,
            Conduct::Poor => 70,
        }
    }

    /// Episodes of complaints per year are this many times the line of business's rate.
    pub(super) fn complaint_factor(self) -> f64 {
        match self {
            Conduct::Good => 1.0,
            Conduct::Fair => 1.1,
            Conduct::Poor => 1.2,
        }
    }

    /// Percent of businesses that run self-assessments, and of those that pass.
    pub(super) fn self_assessment(self) -> (u64, u64) {
        match self {
            Conduct::Good => (30, 88),
            Conduct::Fair => (12, 55),
            Conduct::Poor => (2, 30),
        }
    }

    /// The probability class of the category decided before the history's five years (one of
    /// two by conduct): the planned inspections of those years followed it.
    pub(super) fn prior_probability(self, rng: &mut Rng) -> usize {
        match self {
            Conduct::Good => 1 + usize::from(rng.chance(30)),
            Conduct::Fair => 2 + usize::from(rng.chance(40)),
            Conduct::Poor => 3 + usize::from(rng.chance(8)),
        }
    }
}
