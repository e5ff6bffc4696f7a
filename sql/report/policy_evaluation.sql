-- Precision and recall of each policy on the development set, best precision first.
select
    policy,
    n_occurrences,
    n_positive,
    round(precision, 3) as precision,
    round(recall, 3) as recall
from policy_evaluation
order by precision desc
