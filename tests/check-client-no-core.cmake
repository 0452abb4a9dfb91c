# Fails when the client library (helper/client), the desktop app (ui/,
# app/etherdisk) or etherdiskctl's D-Bus
# commands (app/etherdiskctl/dbuscommands.* and ttyagent.*) include a header
# of core (etherdisk/...: engine, discovery, codec) or link Etherdisk::Core:
# they must work with the helper alone. DIRS: the files and folders to check.
set(files "")
foreach(d ${DIRS})
    if(IS_DIRECTORY "${d}")
        file(GLOB_RECURSE found "${d}/*.h" "${d}/*.cpp" "${d}/CMakeLists.txt")
        list(APPEND files ${found})
    else()
        list(APPEND files "${d}")
    endif()
endforeach()
set(bad "")
foreach(f ${files})
    file(STRINGS "${f}" hits REGEX "#[ \t]*include[ \t]*[<\"]etherdisk/|Etherdisk::Core|etherdisk_core")
    if(hits)
        list(APPEND bad "${f}: ${hits}")
    endif()
endforeach()
list(LENGTH files n)
if(n EQUAL 0)
    message(FATAL_ERROR "no files to check in ${DIRS}")
endif()
if(bad)
    message(FATAL_ERROR "the client library and etherdiskctl's D-Bus commands must not use core:\n${bad}")
endif()
message(STATUS "client: ${n} files, no core")
