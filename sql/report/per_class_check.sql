-- The per-class check, long: per class and policy, the labelled estimate of the class's class-sense text units
-- with its 95% interval and the policy's count (a `*` marks a count outside both the interval and 20% of the
-- estimate), most matched classes first.
select
    class_id,
    display_name,
    matches,
    n_labelled,
    n_class_sense,
    round(estimate, 1) as estimate,
    printf('%.0f–%.0f', estimate_low, estimate_high) as interval_95,
    policy,
    printf('%.0f', count) || case when within then '' else ' *' end as count
from per_class_check
order by matches desc, class_id, list_position($policies::varchar[], policy)
