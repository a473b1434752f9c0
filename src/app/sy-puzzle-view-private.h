/* sy-puzzle-view-private.h — what the UI tests may drive in a puzzle view
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "sy-puzzle-view.h"
#include "sy-puzzle.h"

G_BEGIN_DECLS

/* Plays the rest of a running animation at once, as the ticks would. */
void               _sy_puzzle_view_finish_animation (SyPuzzleView *self);
gboolean           _sy_puzzle_view_is_animating     (SyPuzzleView *self);
/* The outcome of the last finished run, or -1 when none finished since the last edit. */
int                _sy_puzzle_view_get_outcome      (SyPuzzleView *self);
GPtrArray         *_sy_puzzle_view_get_program      (SyPuzzleView *self);
SyPuzzle          *_sy_puzzle_view_get_puzzle       (SyPuzzleView *self);
/* The index in the run's trace of the state drawn; -1 for the start. */
int                _sy_puzzle_view_get_position     (SyPuzzleView *self);

G_END_DECLS
