//! Risk-scored planning (ст.23-25 248-FZ, ПП 1511): the risk model that proposes a category with
//! its explanation, risk indicators over events, which objects are due for a planned inspection
//! or a mandatory preventive visit in a year, and the scheduler that turns them into a plan under
//! the inspectors' capacity. Pure: the server reads the facts and hands them in.

pub mod due;
pub mod indicators;
pub mod model;
pub mod policy;
pub mod schedule;

pub use indicators::{EventKind, IndicatorRule};
pub use model::{Explanation, ObjectFacts, RiskModel};
pub use policy::{MeasureLoad, PlanningRules};
