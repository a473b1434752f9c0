/* sy-learner-chooser.c
 *
 * Copyright 2026 The Shuyuan authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first thing a shared PC shows: one tile per person, like a login screen. The chooser
 * only shows; the window asks the store for the learners and signs the chosen one in.
 */
#define G_LOG_DOMAIN "Shuyuan"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sy-classroom-view.h"
#include "sy-learner-chooser.h"
#include "sy-window-private.h"

#define AVATAR_SIZE 96

struct _SyLearnerChooser
{
  AdwBin         parent_instance;

  GtkStack      *stack;
  GtkSpinner    *spinner;
  GtkFlowBox    *flow_box;
  AdwStatusPage *error_page;
  GtkLabel      *title_label;
  GtkWidget     *leave_class_button;
  gboolean       class_mode;
};

G_DEFINE_FINAL_TYPE (SyLearnerChooser, sy_learner_chooser, ADW_TYPE_BIN)

enum {
  SIGNAL_LEARNER_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
is_han_name (const char *name)
{
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    if (g_unichar_get_script (g_utf8_get_char (p)) != G_UNICODE_SCRIPT_HAN)
      return FALSE;
  return TRUE;
}

/**
 * sy_avatar_set_learner_name:
 *
 * Shows @name on @avatar. AdwAvatar shows the first letters of a name's first and last
 * words. A Chinese name is one word, family name first, and a handful of family names
 * (王, 李, 张…) are shared by half a village: the given name is what tells people apart,
 * so a name in Han characters shows its last two, as Chinese messaging apps do.
 */
void
sy_avatar_set_learner_name (AdwAvatar  *avatar,
                            const char *name)
{
  g_autofree char *stripped = g_strstrip (g_strdup (name ? name : ""));
  glong len = g_utf8_strlen (stripped, -1);

  g_return_if_fail (ADW_IS_AVATAR (avatar));

  if (len >= 2 && g_utf8_validate (stripped, -1, NULL) && is_han_name (stripped))
    {
      const char *last_two = g_utf8_offset_to_pointer (stripped, len - 2);
      const char *last = g_utf8_next_char (last_two);
      g_autofree char *text = g_strdup_printf ("%.*s %s", (int) (last - last_two), last_two, last);

      adw_avatar_set_text (avatar, text);
    }
  else
    {
      adw_avatar_set_text (avatar, stripped);
    }
}

static GtkWidget *
create_tile (const char *name,
             const char *caption,
             gboolean    has_pin)
{
  GtkWidget *child = gtk_flow_box_child_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *avatar = adw_avatar_new (AVATAR_SIZE, NULL, TRUE);
  GtkWidget *label = gtk_label_new (name);
  GtkWidget *caption_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *caption_label = gtk_label_new (caption);

  gtk_widget_add_css_class (child, "learner-tile");
  gtk_widget_set_halign (caption_box, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (caption_box, "caption");
  gtk_widget_add_css_class (caption_box, "dim-label");

  sy_avatar_set_learner_name (ADW_AVATAR (avatar), name);
  gtk_widget_set_halign (avatar, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_bottom (avatar, 6);
  gtk_box_append (GTK_BOX (box), avatar);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (label), 2);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 12);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);

  /* Every tile has a caption line, empty or not, so names line up across a row. */
  if (has_pin)
    {
      GtkWidget *lock = gtk_image_new_from_icon_name ("system-lock-screen-symbolic");

      gtk_widget_set_tooltip_text (lock, _("Has a PIN"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (lock),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Has a PIN"),
                                      -1);
      gtk_box_append (GTK_BOX (caption_box), lock);
    }
  gtk_box_append (GTK_BOX (caption_box), caption_label);
  gtk_box_append (GTK_BOX (box), caption_box);

  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (child), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
  if (caption[0] != '\0')
    gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, caption,
                                    -1);
  return child;
}

static const char *
role_caption (SyLearner *learner)
{
  switch (sy_learner_get_role (learner))
    {
    case SY_ROLE_TEACHER:
      return _("Teacher");
    case SY_ROLE_COORDINATOR:
      return _("Coordinator");
    case SY_ROLE_LEARNER:
    default:
      return "";
    }
}

static GtkWidget *
create_learner_tile (SyLearner *learner)
{
  GtkWidget *tile = create_tile (sy_learner_get_name (learner), role_caption (learner),
                                 sy_learner_get_has_pin (learner));
  GtkWidget *avatar = gtk_widget_get_first_child (gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (tile)));

  /* A pupil's chosen avatar */
  sy_avatar_show (ADW_AVATAR (avatar), sy_learner_get_name (learner), sy_learner_get_avatar (learner));

  g_object_set_data_full (G_OBJECT (tile), "sy-learner", g_object_ref (learner), g_object_unref);
  return tile;
}

static GtkWidget *
create_add_tile (void)
{
  GtkWidget *tile = create_tile (_("Add Learner"), "", FALSE);
  GtkWidget *avatar = gtk_widget_get_first_child (gtk_flow_box_child_get_child (GTK_FLOW_BOX_CHILD (tile)));

  adw_avatar_set_text (ADW_AVATAR (avatar), NULL);
  adw_avatar_set_show_initials (ADW_AVATAR (avatar), FALSE);
  adw_avatar_set_icon_name (ADW_AVATAR (avatar), "list-add-symbolic");
  gtk_widget_add_css_class (tile, "add-learner-tile");
  return tile;
}

static void
child_activated_cb (SyLearnerChooser *self,
                    GtkFlowBoxChild  *child,
                    GtkFlowBox       *flow_box)
{
  SyLearner *learner = g_object_get_data (G_OBJECT (child), "sy-learner");

  if (learner != NULL)
    g_signal_emit (self, signals[SIGNAL_LEARNER_ACTIVATED], 0, learner);
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "win.add-learner", NULL);
}

static int
compare_learners (gconstpointer a,
                  gconstpointer b)
{
  SyLearner *learner_a = *(SyLearner **) a;
  SyLearner *learner_b = *(SyLearner **) b;
  int ret;

  /* In a Chinese locale, glibc collates Han characters by their pinyin. */
  ret = g_utf8_collate (sy_learner_get_name (learner_a), sy_learner_get_name (learner_b));
  if (ret == 0)
    ret = g_strcmp0 (sy_learner_get_created (learner_a), sy_learner_get_created (learner_b));
  return ret;
}

static void
sy_learner_chooser_class_init (SyLearnerChooserClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  /**
   * SyLearnerChooser::learner-activated:
   * @learner: the learner chosen
   *
   * Someone chose their tile. Choosing "Add Learner" activates `win.add-learner`.
   */
  signals[SIGNAL_LEARNER_ACTIVATED] =
    g_signal_new ("learner-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SY_TYPE_LEARNER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shuyuan/Shuyuan/sy-learner-chooser.ui");
  gtk_widget_class_bind_template_child (widget_class, SyLearnerChooser, stack);
  gtk_widget_class_bind_template_child (widget_class, SyLearnerChooser, spinner);
  gtk_widget_class_bind_template_child (widget_class, SyLearnerChooser, flow_box);
  gtk_widget_class_bind_template_child (widget_class, SyLearnerChooser, error_page);
  gtk_widget_class_bind_template_child (widget_class, SyLearnerChooser, title_label);
  gtk_widget_class_bind_template_child (widget_class, SyLearnerChooser, leave_class_button);
  gtk_widget_class_bind_template_callback (widget_class, child_activated_cb);
}

static void
sy_learner_chooser_init (SyLearnerChooser *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sy_learner_chooser_new (void)
{
  return g_object_new (SY_TYPE_LEARNER_CHOOSER, NULL);
}

/* A spinner stands in for the learners while they are read. */
void
sy_learner_chooser_set_loading (SyLearnerChooser *self)
{
  g_return_if_fail (SY_IS_LEARNER_CHOOSER (self));

  gtk_spinner_start (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "loading");
}

/**
 * sy_learner_chooser_set_learners:
 * @learners: (element-type SyLearner): everyone with a profile on this PC
 *
 * Shows a tile for each of @learners, by name, and one to add a learner; or, when there
 * is nobody yet, a page that invites the first learner to add themselves.
 */
void
sy_learner_chooser_set_learners (SyLearnerChooser *self,
                                 GPtrArray        *learners)
{
  g_autoptr(GPtrArray) sorted = NULL;
  GtkWidget *child;

  g_return_if_fail (SY_IS_LEARNER_CHOOSER (self));
  g_return_if_fail (learners != NULL);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box))) != NULL)
    gtk_flow_box_remove (self->flow_box, child);

  sorted = g_ptr_array_new_full (learners->len, g_object_unref);
  for (guint i = 0; i < learners->len; i++)
    g_ptr_array_add (sorted, g_object_ref (g_ptr_array_index (learners, i)));
  g_ptr_array_sort (sorted, compare_learners);
  for (guint i = 0; i < sorted->len; i++)
    gtk_flow_box_append (self->flow_box, create_learner_tile (g_ptr_array_index (sorted, i)));
  /* In class mode only the class's pupils sign in here: nobody is added. */
  if (!self->class_mode)
    gtk_flow_box_append (self->flow_box, create_add_tile ());
  /* A homogeneous flow box is as wide as its widest line could be: with only a few tiles it
   * would leave them on the left of an empty row, under a centred title. */
  gtk_flow_box_set_max_children_per_line (self->flow_box,
                                          CLAMP (sorted->len + (self->class_mode ? 0 : 1), 2, 6));

  gtk_spinner_stop (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, sorted->len > 0 ? "learners" : "empty");
}

void
sy_learner_chooser_show_error (SyLearnerChooser *self,
                               const char       *message)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (SY_IS_LEARNER_CHOOSER (self));
  g_return_if_fail (message != NULL);

  escaped = g_markup_escape_text (message, -1);
  adw_status_page_set_description (self->error_page, escaped);
  gtk_spinner_stop (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

/**
 * sy_learner_chooser_focus:
 * @learner_uuid: (nullable): whose tile takes the focus; %NULL for the first
 *
 * Puts the keyboard focus on a tile, so arrows and Enter work at once; or on the empty
 * page's button when there is nobody yet.
 */
void
sy_learner_chooser_focus (SyLearnerChooser *self,
                          const char       *learner_uuid)
{
  GtkWidget *tile;

  g_return_if_fail (SY_IS_LEARNER_CHOOSER (self));

  if (learner_uuid != NULL && (tile = _sy_learner_chooser_get_tile (self, learner_uuid)) != NULL)
    {
      gtk_widget_grab_focus (tile);
      return;
    }

  tile = GTK_WIDGET (gtk_flow_box_get_child_at_index (self->flow_box, 0));
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "learners") == 0 && tile != NULL)
    gtk_widget_grab_focus (tile);
  else
    gtk_widget_child_focus (gtk_stack_get_visible_child (self->stack), GTK_DIR_TAB_FORWARD);
}

/* ---- for the tests ---- */

/* Returns: "loading", "empty", "learners" or "error" */
const char *
_sy_learner_chooser_get_view (SyLearnerChooser *self)
{
  g_return_val_if_fail (SY_IS_LEARNER_CHOOSER (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/* Returns: how many learners have a tile */
guint
_sy_learner_chooser_get_n_learners (SyLearnerChooser *self)
{
  guint n = 0;

  g_return_val_if_fail (SY_IS_LEARNER_CHOOSER (self), 0);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += g_object_get_data (G_OBJECT (child), "sy-learner") != NULL;
  return n;
}

/**
 * _sy_learner_chooser_get_tile:
 * @learner_uuid: (nullable): a learner, or %NULL for the "Add Learner" tile
 *
 * Returns: (transfer none) (nullable): the tile, a #GtkFlowBoxChild
 */
GtkWidget *
_sy_learner_chooser_get_tile (SyLearnerChooser *self,
                              const char       *learner_uuid)
{
  g_return_val_if_fail (SY_IS_LEARNER_CHOOSER (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      SyLearner *learner = g_object_get_data (G_OBJECT (child), "sy-learner");

      if (learner_uuid == NULL ? learner == NULL
                               : learner != NULL && g_strcmp0 (sy_learner_get_uuid (learner), learner_uuid) == 0)
        return child;
    }
  return NULL;
}

/**
 * sy_learner_chooser_set_class:
 * @class_name: (nullable): the class whose pupils are shown, or %NULL for everyone
 *
 * Class mode: the chooser is titled with the class, has no "Add Learner" tile, and offers
 * to leave the mode (`win.leave-class-mode`).
 */
void
sy_learner_chooser_set_class (SyLearnerChooser *self,
                              const char       *class_name)
{
  g_return_if_fail (SY_IS_LEARNER_CHOOSER (self));

  self->class_mode = class_name != NULL;
  gtk_label_set_label (self->title_label, class_name ? class_name : _("Who Is Learning?"));
  gtk_widget_set_visible (self->leave_class_button, self->class_mode);
}
