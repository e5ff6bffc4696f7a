-- Precision (p) and recall (r) of the keep, drop and context policies per term of the development set,
-- the most judged terms first.
select
    term,
    any_value(n_occurrences) as n,
    any_value(n_positive) as positive,
    round(max(precision) filter (where policy = 'keep'), 2) as keep_p,
    round(max(recall) filter (where policy = 'keep'), 2) as keep_r,
    round(max(precision) filter (where policy = 'drop'), 2) as drop_p,
    round(max(recall) filter (where policy = 'drop'), 2) as drop_r,
    round(max(precision) filter (where policy = 'context'), 2) as context_p,
    round(max(recall) filter (where policy = 'context'), 2) as context_r
from policy_evaluation_by_term
group by term
order by n desc, term
