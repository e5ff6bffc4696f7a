-- Recall (of the classes the captions name) and precision (of what is counted in them) of each policy on the
-- recall set's captions of one half ($half), the policies in the order of $policies.
select
    policy,
    n_captions,
    n_named,
    round(recall, 3) as recall,
    round(precision, 3) as precision
from recall_evaluation
where half = $half
order by list_position($policies::varchar[], policy)
