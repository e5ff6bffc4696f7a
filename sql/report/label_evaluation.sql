-- Precision and recall of each policy on the labelled occurrences of one half ($half), per sample (every
-- match drawn at random, or flagged terms only), the policies in the order of $policies.
select
    sample,
    policy,
    n_occurrences,
    n_positive,
    round(precision, 3) as precision,
    round(recall, 3) as recall
from label_evaluation
where half = $half and list_contains($policies::varchar[], policy)
order by sample desc, list_position($policies::varchar[], policy)
