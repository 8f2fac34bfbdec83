//! Splitting an amount of fen by weights so that the parts add up exactly: each part is the
//! floor of its share, and the fen left over go one each to the largest remainders (ties to
//! the earlier part).

/// `total` split by `weights` (all ≥ 0, not all 0); the parts sum to `total` exactly.
pub fn largest_remainder(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if sum <= 0 {
        let mut parts = vec![0; weights.len()];
        if let Some(first) = parts.first_mut() {
            *first = total;
        }
        return parts;
    }
    let total_wide = i128::from(total);
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let exact = total_wide * i128::from(*weight);
        parts.push(exact.div_euclid(sum));
        remainders.push((exact.rem_euclid(sum), index));
    }
    let mut left = total_wide - parts.iter().sum::<i128>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, index) in remainders {
        if left == 0 {
            break;
        }
        parts[index] += 1;
        left -= 1;
    }
    parts
        .into_iter()
        .map(|part| i64::try_from(part).unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn odd_fen_go_to_the_largest_remainders() {
        assert_eq!(largest_remainder(101, &[70, 30]), vec![71, 30]);
        assert_eq!(largest_remainder(1, &[50, 50]), vec![1, 0]);
        assert_eq!(largest_remainder(100, &[1, 1, 1]), vec![34, 33, 33]);
        assert_eq!(largest_remainder(-101, &[70, 30]), vec![-71, -30]);
        assert_eq!(largest_remainder(7, &[0, 0]), vec![7, 0]);
    }

    proptest! {
        #[test]
        fn the_parts_always_add_up(total in -10_000_000_000i64..10_000_000_000, weights in proptest::collection::vec(0i64..1_000_000, 1..6)) {
            let parts = largest_remainder(total, &weights);
            prop_assert_eq!(parts.iter().sum::<i64>(), total);
            prop_assert_eq!(parts.len(), weights.len());
        }
    }
}
