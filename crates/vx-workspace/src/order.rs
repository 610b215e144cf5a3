//! Topological order of a graph given by its dependency lists, for packages and tasks
//! alike: linear in nodes plus edges (a heap keeps ties by index, so the order is
//! stable), or one cycle when there is no order.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

/// The nodes `0..n`, each after everything `deps(i)` lists; `Err` with a cycle (its
/// first node repeated last) when the graph has one.
pub(crate) fn topological<I: Iterator<Item = usize>>(
    n: usize,
    deps: impl Fn(usize) -> I,
) -> Result<Vec<usize>, Vec<usize>> {
    let mut waiting = vec![0usize; n];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, w) in waiting.iter_mut().enumerate() {
        for d in deps(i) {
            *w += 1;
            dependents[d].push(i);
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> =
        (0..n).filter(|&i| waiting[i] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for &d in &dependents[i] {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                ready.push(Reverse(d));
            }
        }
    }
    if order.len() == n {
        return Ok(order);
    }
    // Every node left waits on another one left: following those must come round.
    let mut at = (0..n).find(|&i| waiting[i] > 0).unwrap_or(0);
    let mut pos: HashMap<usize, usize> = HashMap::new();
    let mut path = Vec::new();
    while let std::collections::hash_map::Entry::Vacant(e) = pos.entry(at) {
        e.insert(path.len());
        path.push(at);
        match deps(at).find(|&d| waiting[d] > 0) {
            Some(next) => at = next,
            None => return Err(path),
        }
    }
    let mut cycle = path.split_off(pos[&at]);
    cycle.push(at);
    Err(cycle)
}

#[cfg(test)]
mod tests {
    use super::topological;

    #[test]
    fn orders_or_names_a_cycle() {
        let deps = [vec![1], vec![2], vec![]];
        assert_eq!(
            topological(3, |i| deps[i].iter().copied()),
            Ok(vec![2, 1, 0])
        );
        let deps = [vec![1], vec![2], vec![1], vec![0]];
        assert_eq!(
            topological(4, |i| deps[i].iter().copied()),
            Err(vec![1, 2, 1])
        );
    }
}
