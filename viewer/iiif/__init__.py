"""IIIF Image API 3.0 for page images: request parsing, page sources, encoding, info.json.

The routes are in :mod:`viewer.web.iiif`; permission comes from docstore like
every other image route.  Nothing here knows users.
"""
