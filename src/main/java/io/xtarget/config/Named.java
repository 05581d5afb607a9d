package io.xtarget.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** Lists of config elements identified by a name (backstores, targets, ACLs). */
final class Named {
    private Named() {}

    /** {@code list} with {@code element} in place of the one with its name, or appended when there is none. */
    static <T> List<T> put(List<T> list, T element, Function<T, String> name) {
        String n = name.apply(element);
        List<T> out = new ArrayList<>(list);
        for (int i = 0; i < out.size(); i++) {
            if (Objects.equals(name.apply(out.get(i)), n)) {
                out.set(i, element);
                return out;
            }
        }
        out.add(element);
        return out;
    }
}
