-- The classes no WordNet synset was mapped to (a user's class set: see pipeline/lexicon/classsets.py), in class order.
select class_id, display_name
from classes
where mapping = 'unmapped'
order by class_index
