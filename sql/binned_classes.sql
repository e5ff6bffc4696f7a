-- Each model's classes (the correlated points) in each scope grouped into the frequency bins of each scheme (`frequency_bins`):
-- the input of the binned accuracy curves, with each bin's accuracies in class order for the bootstrap.
with joined as (
    select model, scope, class_index, frequency, accuracy
    from correlated_points
),

bins as (
    select scheme, bin_index, bin, lower, upper
    from frequency_bins
)

select
    joined.model,
    joined.scope,
    bins.scheme,
    bins.bin_index,
    bins.bin,
    bins.lower,
    bins.upper,
    count(*) as n_classes,
    avg(joined.accuracy) as mean_accuracy,
    list(joined.accuracy order by joined.class_index) as accuracies
from joined
join bins on joined.frequency >= bins.lower and (bins.upper is null or joined.frequency < bins.upper)
group by all
order by joined.model, joined.scope, bins.scheme, bins.bin_index
