-- How far each class's frequency rank (combined text) is from its accuracy rank (mean over models):
-- a large positive gap is a class seen often but classified poorly, a large negative one the reverse.
with combined as (
    select class_id, class_index, wnid, display_name, n_docs
    from class_frequency_by_scope
    where scope = 'combined'
),

model_accuracy as (
    -- rounded: a float average depends on the order threads add it up, and the report must not
    select class_id, round(avg(accuracy), 12) as mean_accuracy
    from accuracy
    group by class_id
),

ranked as (
    select
        combined.*,
        model_accuracy.mean_accuracy,
        percent_rank() over (order by combined.n_docs) as frequency_rank,
        percent_rank() over (order by model_accuracy.mean_accuracy) as accuracy_rank
    from combined
    join model_accuracy using (class_id)
)

select *, frequency_rank - accuracy_rank as exposure_gap
from ranked
order by exposure_gap desc, class_index
