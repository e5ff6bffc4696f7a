-- Per class and term, the weight each policy gives a mention of it (run over best-case mentions only: one per
-- term, in a text unit holding every context word of its classes).
select class_id, term, policy, max(weight) as weight
from mention_weights
group by class_id, term, policy
