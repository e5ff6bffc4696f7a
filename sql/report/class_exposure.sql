-- How far each class's frequency rank (combined text) is from its accuracy rank, compared within each model: a
-- model ranks only the classes it has an accuracy for, so a class is never ranked against accuracies of models that
-- another class lacks. Per class, the means over the models that have it: a large positive gap is a class seen
-- often but classified poorly, a large negative one the reverse.
with ranked as (
    select
        model,
        class_id,
        class_index,
        wnid,
        display_name,
        frequency,
        percent_rank() over (partition by model order by frequency) as frequency_rank,
        percent_rank() over (partition by model order by accuracy) as accuracy_rank
    from correlated_points
    where scope = 'combined'
)

-- rounded: a float average depends on the order threads add it up, and the report must not
select
    class_id,
    class_index,
    wnid,
    display_name,
    frequency,
    count(*) as n_models,
    (select count(distinct model) from ranked) as n_all_models,
    round(avg(frequency_rank), 12) as frequency_rank,
    round(avg(accuracy_rank), 12) as accuracy_rank,
    round(avg(frequency_rank - accuracy_rank), 12) as exposure_gap
from ranked
group by class_id, class_index, wnid, display_name, frequency
order by exposure_gap desc, class_index
