-- Every counted term of the class set that the run's policy ($policy) can never count for a class: its
-- weight is 0 even in a text unit that holds every context word of its classes (best_case_mentions, one
-- such mention per term, weighted by sql/load_mentions.sql like any other).
select
    best_case_mentions.class_id,
    classes.display_name,
    best_case_mentions.term,
    $policy::varchar as policy
from best_case_mentions
join classes using (class_id)
where best_case_mentions.policy = $policy and best_case_mentions.weight = 0
order by classes.class_index, best_case_mentions.term
