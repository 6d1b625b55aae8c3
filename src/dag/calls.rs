//! The memo of user-function calls: a call is computed once per distinct
//! function, environment and argument values within one DAG (a batch, a
//! session or a run), however many call sites reach it.

use std::sync::{Arc, Mutex, MutexGuard};

use rustc_hash::FxHashSet;

use super::Outcome;
use super::node::NodeId;
use crate::host::HostCall;
use crate::value::Value;

/// An argument value as a hash key: small integers directly, other values
/// by kind and exact text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum ArgKey {
    Small(i64),
    Other(&'static str, Box<str>),
}

impl ArgKey {
    fn of(value: &Value) -> ArgKey {
        match value {
            Value::Int(i) if let Some(small) = i.to_i64() => ArgKey::Small(small),
            _ => ArgKey::Other(value.kind_name(), value.to_string().into_boxed_str()),
        }
    }
}

/// What makes two calls the same: the definition, the environment (its
/// functions and the nodes of its variables) and the argument values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CallKey {
    def: u64,
    env: u64,
    args: Box<[ArgKey]>,
}

type EnvKey = (Arc<[(Box<str>, u64)]>, Box<[NodeId]>);

/// Environment ids by key, and the next id to give (ids are never given
/// twice, even after a compaction dropped some).
#[derive(Debug, Default)]
struct Envs {
    ids: rustc_hash::FxHashMap<EnvKey, u64>,
    next: u64,
}

/// The memo and the environment ids of one DAG; shared by its forks.
#[derive(Debug, Default)]
pub struct CallTable {
    memo: Mutex<rustc_hash::FxHashMap<CallKey, Outcome>>,
    envs: Mutex<Envs>,
    hits: std::sync::atomic::AtomicU64,
    /// `memo.len()`, readable without the lock (checked at every call).
    count: std::sync::atomic::AtomicUsize,
    /// Pure host calls by function id and argument values: in progress
    /// (shared by every party that needs the same call) or done.
    hosts: Mutex<rustc_hash::FxHashMap<CallKey, Arc<HostCall>>>,
    /// Calls computed to the end (more than `count` when a parallel run
    /// computed a call twice in a race).
    computed: std::sync::atomic::AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl CallTable {
    /// The id of the environment with these functions and variable nodes.
    pub fn env_id(&self, funcs: &Arc<[(Box<str>, u64)]>, vars: &[NodeId]) -> u64 {
        let mut envs = lock(&self.envs);
        let Envs { ids, next } = &mut *envs;
        *ids.entry((Arc::clone(funcs), vars.into()))
            .or_insert_with(|| {
                *next += 1;
                *next - 1
            })
    }

    /// The table for a compacted DAG: the environments whose variable
    /// nodes were all kept (under their new ids, with the same environment
    /// ids), and the remembered calls of functions in `defs` in those
    /// environments; the host calls as they are.
    pub(crate) fn compacted(
        &self,
        renumbering: &super::Renumbering,
        defs: &FxHashSet<u64>,
    ) -> CallTable {
        let envs = lock(&self.envs);
        let mut kept = Envs {
            ids: Default::default(),
            next: envs.next,
        };
        for ((funcs, vars), &id) in &envs.ids {
            let renumbered: Option<Box<[NodeId]>> =
                vars.iter().map(|&v| renumbering.get(v)).collect();
            if let Some(vars) = renumbered {
                kept.ids.insert((Arc::clone(funcs), vars), id);
            }
        }
        let live_envs: FxHashSet<u64> = kept.ids.values().copied().collect();
        let memo: rustc_hash::FxHashMap<CallKey, Outcome> = lock(&self.memo)
            .iter()
            .filter(|(key, _)| defs.contains(&key.def) && live_envs.contains(&key.env))
            .map(|(key, outcome)| (key.clone(), outcome.clone()))
            .collect();
        let relaxed = std::sync::atomic::Ordering::Relaxed;
        CallTable {
            count: memo.len().into(),
            memo: Mutex::new(memo),
            envs: Mutex::new(kept),
            hits: self.hits.load(relaxed).into(),
            hosts: Mutex::new(lock(&self.hosts).clone()),
            computed: self.computed.load(relaxed).into(),
        }
    }

    /// The key of a call of definition `def` in environment `env`.
    pub fn key(def: u64, env: u64, args: &[Value]) -> CallKey {
        CallKey {
            def,
            env,
            args: args.iter().map(ArgKey::of).collect(),
        }
    }

    /// The remembered outcome of a call, if it has been computed.
    pub fn get(&self, key: &CallKey) -> Option<Outcome> {
        let found = lock(&self.memo).get(key).cloned();
        if found.is_some() {
            self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        found
    }

    /// Remembers the outcome of a call (only a deterministic one).
    pub fn keep(&self, key: CallKey, outcome: &Outcome) {
        if let Err(e) = outcome
            && !e.kind.is_deterministic()
        {
            return;
        }
        self.computed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut memo = lock(&self.memo);
        memo.entry(key).or_insert_with(|| outcome.clone());
        self.count
            .store(memo.len(), std::sync::atomic::Ordering::Relaxed);
    }

    /// How many distinct calls are remembered.
    pub fn len(&self) -> usize {
        self.count.load(std::sync::atomic::Ordering::Relaxed)
    }

    #[cfg(any(test, feature = "report"))]
    /// Whether no call is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[cfg(any(test, feature = "report"))]
    /// How many calls were computed to the end: [`CallTable::len`], plus
    /// the calls two branches of a parallel run computed at the same time.
    pub fn computed(&self) -> u64 {
        self.computed.load(std::sync::atomic::Ordering::Relaxed)
    }

    #[cfg(any(test, feature = "report"))]
    /// How many times a call's outcome was found in the memo.
    pub fn hits(&self) -> u64 {
        self.hits.load(std::sync::atomic::Ordering::Relaxed)
    }

    #[cfg(any(test, feature = "report"))]
    /// Forgets every remembered outcome (e.g. after the bit limit changed).
    pub fn clear(&self) {
        let mut memo = lock(&self.memo);
        memo.clear();
        self.count.store(0, std::sync::atomic::Ordering::Relaxed);
        self.computed.store(0, std::sync::atomic::Ordering::Relaxed);
        lock(&self.hosts).clear();
    }

    /// The key of a call of host function `id` with `args`.
    pub fn host_key(id: u64, args: &[Value]) -> CallKey {
        CallTable::key(id, 0, args)
    }

    /// The pure host call `key`, in progress or done, if a usable one is
    /// known (see [`HostCall::reusable`]).
    pub fn host_call(&self, key: &CallKey) -> Option<Arc<HostCall>> {
        lock(&self.hosts)
            .get(key)
            .filter(|call| call.reusable())
            .cloned()
    }

    /// The pure host call `key`: a usable known one, else the one `make`
    /// gives, remembered. Returns it and whether it was made now.
    pub fn host_call_or(
        &self,
        key: CallKey,
        make: impl FnOnce() -> Arc<HostCall>,
    ) -> (Arc<HostCall>, bool) {
        let mut hosts = lock(&self.hosts);
        if let Some(call) = hosts.get(&key).filter(|call| call.reusable()) {
            return (Arc::clone(call), false);
        }
        let call = make();
        hosts.insert(key, Arc::clone(&call));
        (call, true)
    }

    #[cfg(any(test, feature = "report"))]
    /// How many distinct pure host calls are known (done or in progress).
    pub fn host_calls(&self) -> usize {
        lock(&self.hosts).len()
    }
}
