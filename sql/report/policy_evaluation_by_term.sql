-- Precision and recall of each policy per term of the development set, a row per term and policy (the report
-- and `classfreq evaluate` put the policies side by side), the most judged terms first.
select
    term,
    n_occurrences as n,
    n_positive as positive,
    policy,
    round(precision, 2) as p,
    round(recall, 2) as r
from policy_evaluation_by_term
order by n desc, term, policy
