-- Per policy, of the per-class check's classes: how many counts lie within the labelled estimate's 95% interval
-- or within 20% of the estimate, the policies in the order of $policies.
select
    policy,
    count(*) as n_classes,
    count(*) filter (where within) as n_within,
    count(*) filter (where count < estimate_low and not within) as n_below,
    count(*) filter (where count > estimate_high and not within) as n_above
from per_class_check
group by policy
order by list_position($policies::varchar[], policy)
