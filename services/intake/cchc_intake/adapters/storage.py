"""Where attachment files live: the kit's local-disk storage under the data dir (the port is
``ports.AttachmentStorage``); types are recognised by the kit (``cchc_shared.files``)."""

from __future__ import annotations

from cchc_shared.files import LocalDiskStorage as LocalDiskStorage
