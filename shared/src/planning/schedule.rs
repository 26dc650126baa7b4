//! The scheduler: on its way (branch `sched`).
