#!/usr/bin/python3
# check-manifest.py MANIFEST SOURCE_ROOT
#
# Checks the Flatpak manifest without building it (Flathub is out of reach here): every
# pkg-config dependency the meson build asks for is either in the GNOME 43 runtime or built
# by a module of the manifest, and every module's sources are pinned.
#
# Copyright 2026 The Shuyuan authors
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import re
import sys

APP_ID = 'io.github.shuyuan.Shuyuan'

# pkg-config names the org.gnome.Platform//43 runtime (freedesktop-sdk 22.08 + GNOME) ships.
RUNTIME = {
    'glib-2.0', 'gio-2.0', 'gio-unix-2.0', 'gobject-2.0', 'gmodule-2.0', 'threads',
    'gtk4', 'libadwaita-1', 'libsoup-3.0', 'libcurl', 'sqlite3', 'zlib', 'libxml-2.0',
    'cairo', 'cairo-pdf', 'pango', 'pangocairo', 'gdk-pixbuf-2.0', 'graphene-1.0', 'librsvg-2.0',
    'gstreamer-1.0', 'libsecret-1',
}

# What the app needs beyond the runtime, whether or not a meson.build asks for it yet:
# PINs (libsodium) and certificates' QR codes (libqrencode) use them already.
REQUIRED = {'json-c', 'libarchive', 'libcmark', 'libsodium', 'libqrencode'}

# Which pkg-config names a module provides, when they differ from the module's name.
PROVIDES = {
    'cmark': {'libcmark'},
    'libqrencode': {'libqrencode'},
    'qrencode': {'libqrencode'},
}

DEPENDENCY_RE = re.compile(r"\bdependency\(\s*'([^']+)'([^)]*)\)")
SHA256_RE = re.compile(r'^[0-9a-f]{64}$')

errors = []


def error(message):
    errors.append(message)


def meson_dependencies(source_root, skip):
    """Yields (name, file, optional) for each dependency() call in the source tree, leaving
    out the folders in @skip (relative paths)."""
    for directory, subdirs, files in os.walk(source_root):
        subdirs[:] = [d for d in subdirs
                      if not d.startswith(('.', '_build')) and d not in ('subprojects', 'builddir')
                      and os.path.relpath(os.path.join(directory, d), source_root) not in skip]
        if 'meson.build' not in files:
            continue
        path = os.path.join(directory, 'meson.build')
        with open(path, encoding='utf-8') as f:
            text = f.read()
        for match in DEPENDENCY_RE.finditer(text):
            optional = 'required' in match.group(2)
            yield match.group(1), os.path.relpath(path, source_root), optional


def check_sources(module):
    name = module.get('name', '?')
    sources = module.get('sources')
    if not sources:
        error(f'module {name}: no sources')
        return
    for source in sources:
        kind = source.get('type')
        if kind in ('archive', 'file'):
            url = source.get('url', '')
            if not url.startswith('https://'):
                error(f'module {name}: source URL {url!r} is not https')
            if not SHA256_RE.match(source.get('sha256', '')):
                error(f'module {name}: source {url} has no valid sha256')
        elif kind == 'git':
            if not source.get('url', '').startswith('https://'):
                error(f'module {name}: git URL is not https')
            if not source.get('tag') and not source.get('commit'):
                error(f'module {name}: git source has neither a tag nor a commit')
        elif kind == 'dir':
            if module is not app_module:
                error(f'module {name}: only the app itself may build from a local dir')
        else:
            error(f'module {name}: unexpected source type {kind!r}')


if len(sys.argv) != 3:
    sys.exit(f'usage: {sys.argv[0]} MANIFEST SOURCE_ROOT')

with open(sys.argv[1], encoding='utf-8') as f:
    manifest = json.load(f)
source_root = sys.argv[2]

for key, expected in (('app-id', APP_ID), ('runtime', 'org.gnome.Platform'),
                      ('runtime-version', '43'), ('sdk', 'org.gnome.Sdk'),
                      ('command', 'shuyuan')):
    if manifest.get(key) != expected:
        error(f'{key} is {manifest.get(key)!r}, expected {expected!r}')

finish_args = set(manifest.get('finish-args', []))
for arg in ('--socket=wayland', '--socket=fallback-x11', '--share=ipc', '--device=dri'):
    if arg not in finish_args:
        error(f'finish-args lacks {arg}')
if '--socket=x11' in finish_args:
    error('finish-args: use --socket=fallback-x11, not --socket=x11')

modules = manifest.get('modules', [])
if not modules or not isinstance(modules[-1], dict):
    sys.exit('the manifest has no modules')
app_module = modules[-1]
if app_module.get('name') != 'shuyuan' or app_module.get('buildsystem') != 'meson':
    error('the last module must be shuyuan itself, built with meson')

provided = set()
for module in modules:
    if not isinstance(module, dict):
        error(f'module {module!r}: give modules inline, so this check can read them')
        continue
    check_sources(module)
    if module is not app_module:
        provided |= PROVIDES.get(module['name'], {module['name']})

for name in sorted(REQUIRED - provided):
    error(f'{name} is needed beyond the GNOME runtime, but no module builds it')

# The Flatpak is the desktop app: the hub (a server) is built without it, -Dhub=false.
skip = set()
if '-Dhub=false' in app_module.get('config-opts', []):
    skip = {os.path.join('src', 'hub'), os.path.join('tests', 'hub')}
else:
    error('the app module should pass -Dhub=false: the server is not part of the desktop app')

for name, path, optional in meson_dependencies(source_root, skip):
    if name in RUNTIME or name in provided:
        continue
    if optional:
        print(f'note: {path}: optional dependency {name} is neither in the runtime nor built')
    else:
        error(f'{path}: dependency {name!r} is neither in the GNOME 43 runtime nor built by '
              f'a module: add a module for it, or list it in RUNTIME if the runtime has it')

if errors:
    for message in errors:
        print(f'{sys.argv[1]}: {message}', file=sys.stderr)
    sys.exit(1)

print(f'{os.path.basename(sys.argv[1])}: {len(modules) - 1} dependency modules, all pinned; '
      f'every meson dependency is in the runtime or built')
