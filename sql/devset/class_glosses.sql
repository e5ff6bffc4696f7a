-- Each class's display name and WordNet gloss, shown beside an occurrence being labelled.
select class_id, display_name, gloss
from classes
