//! The graph laid out in layers for the page, computed here rather than
//! by a layout library in the browser: a Sugiyama-style layering, small
//! enough to own (leaves in layer 0, each node one below its deepest
//! input; then the order within each layer by the barycentre of its
//! neighbours, sweeping down and up twice to uncross edges). Linear in
//! the edges per sweep, so a program of a million nodes is laid out in a
//! moment; the page decides how much of it to draw.

/// Where a node goes: its layer (0: the leaves) and its place in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Place {
    pub layer: usize,
    pub x: usize,
}

/// How many down-and-up sweeps order the layers.
const SWEEPS: usize = 2;

/// Lays out a DAG given as each node's inputs (ids smaller than its own).
pub(super) fn layout(inputs: &[Vec<usize>]) -> Vec<Place> {
    let n = inputs.len();
    let mut layer = vec![0usize; n];
    let mut users: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (id, ins) in inputs.iter().enumerate() {
        for &i in ins.iter().filter(|&&i| i < id) {
            layer[id] = layer[id].max(layer[i] + 1);
            if users[i].last() != Some(&id) {
                users[i].push(id);
            }
        }
    }
    let depth = layer.iter().max().map_or(0, |d| d + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (id, &l) in layer.iter().enumerate() {
        layers[l].push(id);
    }
    let mut x = vec![0usize; n];
    let place = |layers: &[Vec<usize>], x: &mut [usize], l: usize| {
        for (pos, &id) in layers[l].iter().enumerate() {
            x[id] = pos;
        }
    };
    for l in 0..depth {
        place(&layers, &mut x, l);
    }
    for _ in 0..SWEEPS {
        for l in 1..depth {
            order_by(&mut layers[l], &x, |id| &inputs[id]);
            place(&layers, &mut x, l);
        }
        for l in (0..depth.saturating_sub(1)).rev() {
            order_by(&mut layers[l], &x, |id| &users[id]);
            place(&layers, &mut x, l);
        }
    }
    (0..n)
        .map(|id| Place {
            layer: layer[id],
            x: x[id],
        })
        .collect()
}

/// Sorts a layer by the mean place of each node's `neighbours` (a node
/// without any keeps its own place).
fn order_by<'a>(layer: &mut [usize], x: &[usize], neighbours: impl Fn(usize) -> &'a Vec<usize>) {
    let key = |id: usize| -> f64 {
        let near = neighbours(id);
        if near.is_empty() {
            x[id] as f64
        } else {
            near.iter().map(|&i| x[i] as f64).sum::<f64>() / near.len() as f64
        }
    };
    let mut keyed: Vec<(f64, usize)> = layer.iter().map(|&id| (key(id), id)).collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (slot, (_, id)) in layer.iter_mut().zip(keyed) {
        *slot = id;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaves_on_top_and_each_node_below_its_inputs() {
        // (a+b)*(c+d): 0 1 2 3 leaves, 4 = 0+1, 5 = 2+3, 6 = 4*5.
        let inputs = vec![
            vec![],
            vec![],
            vec![],
            vec![],
            vec![0, 1],
            vec![2, 3],
            vec![4, 5],
        ];
        let places = layout(&inputs);
        assert!(places[..4].iter().all(|p| p.layer == 0));
        assert_eq!(
            (places[4].layer, places[5].layer, places[6].layer),
            (1, 1, 2)
        );
        assert!(places[4].x < places[5].x);
        assert!(places[0].x.max(places[1].x) < places[2].x.min(places[3].x));
    }

    #[test]
    fn a_crossing_is_undone() {
        // 0 1 leaves; 2 reads 1, 3 reads 0: the sweep puts 3 before 2.
        let places = layout(&[vec![], vec![], vec![1], vec![0]]);
        assert!(places[3].x < places[2].x);
        assert!(layout(&[]).is_empty());
    }
}
