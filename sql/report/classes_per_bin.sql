-- Classes per frequency bin of each scheme over all text, empty bins included: what decides which scheme the
-- binned curves show first. A class has one frequency in a scope, whichever models have its accuracy.
with points as (
    select distinct class_id, frequency
    from correlated_points
    where scope = 'combined'
)

select bins.scheme, bins.bin_index, bins.bin, bins.lower, bins.upper, count(points.class_id) as n_classes
from frequency_bins as bins
left join points on points.frequency >= bins.lower and (bins.upper is null or points.frequency < bins.upper)
group by all
order by bins.scheme, bins.bin_index
