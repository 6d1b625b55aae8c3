//! User calls of a run that wait without a worker: a task rooted at a
//! user call expands its body on its worker (`eval::calls`) until the
//! expansion waits for a host call, a `delay` or the parts of a fork.
//! Then the expansion's stack is parked with what it waits for (the
//! call's waiter, a timer entry, the fork's [`Join`]) and the worker is
//! free; whoever learns the outcome queues the stack's continuation on
//! the pool, and the task completes from wherever its call finishes.
//! A task that loses interest leaves its host calls (`drop_host`), which
//! drops their futures and the parked stacks; a stopped run also drops
//! its timers.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::super::calls::{CallJob, Progress, Stack, Wait};
use super::super::host::outcome_at;
use super::super::ids::TaskId;
use super::super::timer;
use super::state::TaskState;
use super::{Run, lock, this_lane};
use crate::dag::{CallSite, Node, Outcome};
use crate::error::Span;
use crate::host::{HostFn, HostOutcome, Joined};
use crate::value::Value;

/// One task's user call, shared by its parked stacks.
struct Job {
    t: TaskId,
    call: CallJob,
    start: Duration,
}

/// Where the outcome of a stack goes when it is done.
enum Then {
    /// It is the task's call.
    Task,
    /// It is part `index` of a fork.
    Part(Arc<Join>, usize),
}

/// A fork waiting for its parts: the forking stack and where it goes,
/// and the parts' outcomes as they come.
struct Join(Mutex<Joining>);

struct Joining {
    parent: Option<(Stack, Then)>,
    outcomes: Vec<Option<Outcome>>,
    left: usize,
}

impl Join {
    /// Part `index` is done; the last one gets the forking stack back,
    /// with the parts' outcomes in place.
    fn part_done(&self, index: usize, outcome: Outcome) -> Option<(Stack, Then)> {
        let mut joining = lock(&self.0);
        if let Some(slot) = joining.outcomes.get_mut(index) {
            *slot = Some(outcome);
        }
        joining.left -= 1;
        if joining.left > 0 {
            return None;
        }
        let (mut stack, then) = joining.parent.take()?;
        let outcomes = std::mem::take(&mut joining.outcomes);
        drop(joining);
        stack.joined(outcomes.into_iter().flatten().collect());
        Some((stack, then))
    }
}

/// A timer entry that queues a parked stack's continuation.
struct Alarm {
    run: u64,
    then: Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl timer::Wake for Alarm {
    fn wake(&self, _: u32) {
        let then = lock(&self.then).take();
        if let Some(then) = then {
            then();
        }
    }

    fn run_id(&self) -> u64 {
        self.run
    }
}

impl Run {
    /// Computes call `node` (the root of task `t`, with `site`) from its
    /// inputs' outcomes: its outcome when it is known without waiting;
    /// otherwise `None`, and the task completes later, from wherever its
    /// call finishes.
    pub(super) fn start_call(
        &self,
        t: TaskId,
        node: &Node,
        site: &Arc<CallSite>,
        inputs: &[Outcome],
    ) -> Option<Outcome> {
        let call = match CallJob::new(&self.dag, node, site, inputs) {
            Ok(call) => call,
            Err(outcome) => return Some(outcome),
        };
        let progress = call.begin(&self.dag, &self.limits, &self.token);
        let job = Arc::new(Job {
            t,
            call,
            start: self.recorder.now(),
        });
        self.drive(&job, progress, Then::Task)
    }

    /// Goes on from `progress` until the task's call is done (its
    /// outcome, for the caller to complete the task with) or everything
    /// on this thread waits (`None`).
    fn drive(&self, job: &Arc<Job>, mut progress: Progress, mut then: Then) -> Option<Outcome> {
        loop {
            if self.abandoned(job.t) {
                self.drop_host(job.t);
                self.schedule.set(job.t, TaskState::Dropped);
                return None;
            }
            let (stack, wait) = match progress {
                Progress::Done(outcome) => match then {
                    Then::Task => return Some(job.call.finish(outcome)),
                    Then::Part(join, index) => {
                        let (stack, up) = join.part_done(index, outcome)?;
                        progress = self.resume(job, stack);
                        then = up;
                        continue;
                    }
                },
                Progress::Waits(stack, wait) => (stack, wait),
            };
            match wait {
                Wait::Fork(parts) => {
                    let join = Arc::new(Join(Mutex::new(Joining {
                        parent: Some((stack, then)),
                        outcomes: parts.iter().map(|_| None).collect(),
                        left: parts.len(),
                    })));
                    let mut parts = parts.into_iter().enumerate();
                    let (_, first) = parts.next()?;
                    // The first part goes on here, the others on the pool.
                    for (index, part) in parts {
                        let part_then = Then::Part(Arc::clone(&join), index);
                        self.go_on(job, part, part_then, None);
                    }
                    progress = self.resume(job, first);
                    then = Then::Part(join, 0);
                }
                Wait::Host(f, args, span) => {
                    let (mut stack, outcome) =
                        self.wait_host(job, stack, &then, (f, args, span))?;
                    stack.resolve(outcome);
                    progress = self.resume(job, stack);
                }
                Wait::Delay(duration, value) => {
                    self.wait_timer(job, stack, then, (duration, value));
                    return None;
                }
            }
        }
    }

    fn resume(&self, job: &Job, stack: Stack) -> Progress {
        job.call.resume(stack, &self.dag, &self.limits, &self.token)
    }

    /// Queues on the pool: `stack` gets `outcome` (if it waited for one)
    /// and goes on; the task completes if its call is done.
    fn go_on(&self, job: &Arc<Job>, mut stack: Stack, then: Then, outcome: Option<Outcome>) {
        let (Some(run), job) = (self.me.upgrade(), Arc::clone(job)) else {
            return;
        };
        self.pool.spawn(move || {
            if let Some(outcome) = outcome {
                stack.resolve(outcome);
            }
            let progress = run.resume(&job, stack);
            if let Some(outcome) = run.drive(&job, progress, then) {
                run.call_finished(&job, outcome);
            }
        });
    }

    /// Task `job.t`'s call finished away from its first worker.
    fn call_finished(&self, job: &Job, outcome: Outcome) {
        let t = job.t;
        if self.abandoned(t) {
            self.schedule.set(t, TaskState::Dropped);
            return;
        }
        self.recorder
            .emit(self.plan.node(t.root()), job.start, &outcome, this_lane());
        if let Some(next) = self.complete(t, outcome, true) {
            self.execute(next);
        }
    }

    /// Parks `stack` on host call `f(args)` (shared with equal pure calls
    /// of the DAG). Gives the stack back with the call's outcome when it
    /// is known at once (or `None`: it goes on from the call's waiter).
    fn wait_host(
        &self,
        job: &Arc<Job>,
        stack: Stack,
        then: &Then,
        (f, args, span): (Arc<HostFn>, Vec<Value>, Span),
    ) -> Option<(Stack, Outcome)> {
        let (call, made) = self.host_call(&f, &args);
        if made {
            // The first poll, here: a future ready at once goes on here.
            call.poll();
        }
        let at = |outcome: &HostOutcome| outcome_at(&f, outcome, span, &self.limits.value);
        if let Some(outcome) = call.outcome() {
            return Some((stack, at(&outcome)));
        }
        // The parked stack lives in the waiter until the call answers.
        let parked: Arc<Mutex<Option<(Stack, Then, u64)>>> = Arc::default();
        let (run, job2, function, waiting) = (
            self.me.clone(),
            Arc::clone(job),
            Arc::clone(&f),
            Arc::clone(&parked),
        );
        let joined = Arc::clone(&call);
        let waiter = Box::new(move |outcome: &HostOutcome| {
            let Some(run) = run.upgrade() else { return };
            let Some((stack, then, id)) = lock(&waiting).take() else {
                return;
            };
            run.hosted.remove(job2.t, &joined, id);
            let outcome = outcome_at(&function, outcome, span, &run.limits.value);
            run.go_on(&job2, stack, then, Some(outcome));
        });
        let then = match then {
            Then::Task => Then::Task,
            Then::Part(join, index) => Then::Part(Arc::clone(join), *index),
        };
        // Parked before joining: the waiter may run as soon as it joins.
        let mut slot = lock(&parked);
        match call.join(waiter) {
            Joined::Done(outcome) => return Some((stack, at(&outcome))),
            Joined::Waiting(id) => {
                *slot = Some((stack, then, id));
                self.hosted.add(job.t, &call, id);
            }
        }
        drop(slot);
        // Cancelled meanwhile: the stop may have missed this call.
        if self.abandoned(job.t) {
            self.drop_host(job.t);
        }
        None
    }

    /// Parks `stack` on the timer for a `delay` of `duration`, then
    /// `value`.
    fn wait_timer(
        &self,
        job: &Arc<Job>,
        stack: Stack,
        then: Then,
        (duration, value): (Duration, Outcome),
    ) {
        let (run, job2) = (self.me.clone(), Arc::clone(job));
        let alarm = Arc::new(Alarm {
            run: self.id.0,
            then: Mutex::new(Some(Box::new(move || {
                if let Some(run) = run.upgrade() {
                    run.go_on(&job2, stack, then, Some(value));
                }
            }))),
        });
        match Instant::now().checked_add(duration) {
            Some(deadline) => self.timers.add(deadline, alarm, job.t.0),
            None => timer::Wake::wake(&*alarm, job.t.0),
        }
    }
}
