"""The official ProVoice-Bench release (`data.json`, `new_tools.json`, `audios/<uuid>.wav`).

Two uses, one mapping (`records.parse_record`) from an official record to our fields:
- `import-provoice` (`importer.import_release`) converts the release to a corpus: the clips carry no
  timestamps, so timing is found in the audio (`alignment`, `location`) and marked `derived`;
- `build-corpus --from data.json` (`revoice.official_jobs`) turns the records into scenes that our
  pipeline re-voices; the cue window is then located on the cue's words of the rendered lines.

Modules: `records` (reading), `alignment` (words and sounds in a clip), `location` (a clip's
timing), `importer`, `revoice`, `cli` (the command's arguments).
"""

from ..locator import tokens
from .alignment import align_turns, sound_regions
from .importer import import_release
from .location import Located, locate
from .records import Record, Turn, parse_record, read_data, read_records, read_tools, sound_name
from .revoice import official_jobs, record_scene

__all__ = ["Located", "Record", "Turn", "align_turns", "import_release", "locate", "official_jobs", "parse_record",
           "read_data", "read_records", "read_tools", "record_scene", "sound_name", "sound_regions", "tokens"]
