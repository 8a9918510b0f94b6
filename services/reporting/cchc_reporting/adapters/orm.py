"""Tables of the reporting service's own database."""

from sqlalchemy import MetaData

from cchc_shared.persistence.tables import define_kit_tables

metadata = MetaData()
kit_tables = define_kit_tables(metadata)
